import { Command } from '@nestjs/cqrs';

export interface LeadScoresReset {
  status: 'ok';
  lead_id: string;
  previous_scores: Record<string, number>;
  score_reset_at: string;
}

/** LEAD-20: from now on the lead's earlier events contribute nothing. */
export class ResetLeadScoresCommand extends Command<LeadScoresReset> {
  constructor(readonly leadId: string) {
    super();
  }
}
