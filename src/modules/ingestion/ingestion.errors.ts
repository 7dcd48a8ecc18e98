import { defineErrors } from '../../platform/http';

/** Error codes of event ingestion (POST /ingest, POST /import) and of CSV files generally. */
export const IngestionErrors = defineErrors('ingestion', {
  too_many_events: 400,
  missing_column: 400,
  invalid_csv: 400,
});
