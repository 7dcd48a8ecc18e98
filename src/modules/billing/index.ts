/** The billing module's public surface. */
export { BillingModule } from './billing.module';
export { recordUsage } from './usage/usage-counter';
