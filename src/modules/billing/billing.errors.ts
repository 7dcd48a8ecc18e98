import { defineErrors } from '../../platform/http';

/** The billing module's error codes: write gating (G-11) and the billing webhook (contracts §6). */
export const BillingErrors = defineErrors('billing', {
  subscription_past_due: 402,
  subscription_canceled: 402,
  webhook_signature_invalid: 401,
});
