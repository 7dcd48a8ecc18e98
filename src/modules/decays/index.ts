/** The decays module's public surface: its HTTP module, its worker module and the job (for operators' runs and tests). */
export { DecaysModule, DecaysWorkerModule } from './decays.module';
export { DecayApplyJob } from './jobs/decay-apply.job';
