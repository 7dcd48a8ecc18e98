export * from './aggregate.repository';
export * from './event-sourced-aggregate';
export * from './event-store.types';
export * from './name-uuid';
export * from './uuid-v7';
