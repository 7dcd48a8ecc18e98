export * from './queue-names';
export * from './queues.module';
