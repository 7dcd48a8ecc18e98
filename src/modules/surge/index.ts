/** The surge module's public surface: its HTTP/projection module (deliveries go through the notifications outbox). */
export { SurgeModule } from './surge.module';
