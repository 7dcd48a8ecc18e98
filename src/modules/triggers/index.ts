/** The triggers module's public surface: its HTTP/projection module (deliveries go through the notifications outbox). */
export { TriggersModule } from './triggers.module';
