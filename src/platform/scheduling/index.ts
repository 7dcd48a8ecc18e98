export * from './scheduled-job.decorator';
