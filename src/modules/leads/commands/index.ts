import { AssignLeadOwnerHandler } from './assign-lead-owner/assign-lead-owner.handler';
import { ChangeLeadMetadataHandler } from './change-lead-metadata/change-lead-metadata.handler';
import { ChangeLeadsMetadataHandler } from './change-leads-metadata/change-leads-metadata.handler';
import { CreateLeadHandler } from './create-lead/create-lead.handler';
import { DeleteLeadEventsHandler } from './delete-lead-events/delete-lead-events.handler';
import { ImportLeadRowsHandler } from './import-lead-rows/import-lead-rows.handler';
import { MergeLeadsHandler } from './merge-leads/merge-leads.handler';
import { RecordLeadActivityBatchHandler } from './record-lead-activity-batch/record-lead-activity-batch.handler';
import { RescoreLeadsHandler } from './rescore-leads/rescore-leads.handler';
import { ResetLeadScoresHandler } from './reset-lead-scores/reset-lead-scores.handler';

/** Every change to a Lead goes through one of these handlers (one per use case). */
export const LEAD_COMMAND_HANDLERS = [
  RecordLeadActivityBatchHandler,
  ImportLeadRowsHandler,
  CreateLeadHandler,
  ChangeLeadMetadataHandler,
  ChangeLeadsMetadataHandler,
  AssignLeadOwnerHandler,
  MergeLeadsHandler,
  ResetLeadScoresHandler,
  RescoreLeadsHandler,
  DeleteLeadEventsHandler,
];
