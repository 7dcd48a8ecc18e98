import { defineErrors } from '../../../platform/http';

/** Error codes of the sample data (ADM-4). */
export const SampleDataErrors = defineErrors('sample-data', {
  sample_data_present: 409,
  sample_data_busy: 409,
});
