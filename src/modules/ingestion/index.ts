/** The ingestion module's public surface: the module classes, its error catalog (CSV codes shared with lead import). */
export { IngestionModule, IngestionWorkerModule } from './ingestion.module';
export { IngestionErrors } from './ingestion.errors';
export { RFC3339 } from './http/ingest.dto';
export { IngestPipeline } from './pipeline/ingest.pipeline';
// the intake other modules hand events to, exactly as POST /ingest and /import do (the sample data)
export { IngestIntake } from './ingest-intake.service';
export { clientEventUuid } from './ingest-job';
