// The stream module's public surface: publishing to an OU's server-sent event stream.
export { StreamBus, type StreamEventName, type StreamMessage } from './stream-bus';
export { StreamModule } from './stream.module';
