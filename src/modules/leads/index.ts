/**
 * The leads module's public surface: the commands every change to a Lead goes through, the Lead's event
 * vocabulary other modules project or read, alias normalisation and the module classes. The lead-lock
 * (lead-lock.ts) stays internal: only this module's command handlers append to Lead streams.
 */
export { LeadsModule, LeadsWorkerModule } from './leads.module';
export { LeadErrors } from './leads.errors';

// commands (dispatch with @nestjs/cqrs CommandBus)
export { RecordLeadActivityBatchCommand } from './commands/record-lead-activity-batch/record-lead-activity-batch.command';
export type { LeadActivity, LeadActivityOutcome } from './commands/record-lead-activity-batch/record-lead-activity-batch.command';
export { ImportLeadRowsCommand } from './commands/import-lead-rows/import-lead-rows.command';
export type { LeadImportMapping, LeadImportOutcome, LeadImportRow, LeadImportRowError } from './commands/import-lead-rows/import-lead-rows.command';
export { CreateLeadCommand } from './commands/create-lead/create-lead.command';
export { ChangeLeadMetadataCommand } from './commands/change-lead-metadata/change-lead-metadata.command';
export type { MetadataChange } from './commands/change-lead-metadata/change-lead-metadata.command';
export { ChangeLeadsMetadataCommand } from './commands/change-leads-metadata/change-leads-metadata.command';
export { AssignLeadOwnerCommand } from './commands/assign-lead-owner/assign-lead-owner.command';
export { MergeLeadsCommand } from './commands/merge-leads/merge-leads.command';
export { ResetLeadScoresCommand } from './commands/reset-lead-scores/reset-lead-scores.command';
export { RescoreLeadsCommand } from './commands/rescore-leads/rescore-leads.command';
export type { LeadEventRescore } from './commands/rescore-leads/rescore-leads.command';
export { DeleteLeadEventsCommand } from './commands/delete-lead-events/delete-lead-events.command';
export type { EventToDelete } from './commands/delete-lead-events/delete-lead-events.command';

// the Lead's events and identity rules
export * from './domain/lead-events';
export { normaliseAliases } from './domain/alias-normalisation';
export { MAX_METADATA_BYTES } from './domain/lead-metadata';

// the port the mappings module implements: event metadata → lead and account attributes on ingest
export { LeadAttributeMapper, type BatchAttributeMapping } from './lead-attribute-mapper';
// the port the accounts module implements: the account a lead is grouped into, for the lead reads
export { LeadAccountReader, type LeadAccountView } from './lead-account-reader';

// identity reads and deletion requests (LEAD-18) other modules make on the OU's behalf (the sample data wipe)
export { LeadsService } from './leads.service';

// reads the e2e tests drive directly
export { LeadReadsService } from './lead-reads.service';
export { LeadExplainService } from './explain/lead-explain.service';
export { LeadFilterQueryDto } from './http/lead-reads.dto';
