export * from './hubspot-records';
