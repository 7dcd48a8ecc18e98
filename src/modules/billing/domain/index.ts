export * from './subscription';
export * from './webhook-event';
