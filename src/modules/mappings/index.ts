// The mappings module's public surface: the modules, the account mapping port the accounts module binds, and the
// keys read model writer it shares.
export { MappingsModule, MappingsWorkerModule } from './mappings.module';
export { ACCOUNT_MAPPING_SINK, type AccountMappingSink, type AccountMappingBatchItem } from './application/account-mapping-sink';
export { recordMetadataKeys } from './application/metadata-keys';
export { applyMappedValues, applyFieldMappings, backfillFieldMappings, mappedValues, type MappedValue, type FieldMapping, type UpdateBehavior } from './domain';
export { UnitMappingsCache } from './application/unit-mappings.cache';
export { BackfillJobs, type BackfillJobData } from './backfill/backfill-jobs';
export { BackfillJobDto } from './http/mappings.dto';
