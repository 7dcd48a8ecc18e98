export * from './scheduled-job.decorator';
export * from './scheduling.module';
export * from './scheduled-job-runs.service';
