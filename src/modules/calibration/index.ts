// The calibration module's public surface.
export { CalibrationModule, CalibrationWorkerModule } from './calibration.module';
export { CalibrationEngine } from './application/calibration-engine';
export { CalibrationRunJob } from './jobs/calibration-run.job';
