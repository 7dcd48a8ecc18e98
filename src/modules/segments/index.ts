/**
 * The segments module's public surface: its modules, and the service other modules use to create a segment with its
 * rules in the current tenancy (`SegmentsService.createWithRules`, e.g. sample data).
 */
export { SegmentsModule, SegmentsWorkerModule } from './segments.module';
export { SegmentsService, type SegmentInput, type SegmentRuleInput } from './segments.service';
export { RULE_TYPES, OPERATORS } from './domain/segment-rules';
