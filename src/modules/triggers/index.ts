/** The triggers module's public surface: its HTTP/projection module (deliveries go through the notifications outbox). */
export { TriggersModule } from './triggers.module';
// commands (dispatch with @nestjs/cqrs CommandBus)
export { CreateTriggerCommand } from './commands/create-trigger/create-trigger.command';
export { DeleteTriggerCommand } from './commands/delete-trigger/delete-trigger.command';
