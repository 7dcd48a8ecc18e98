import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../platform/clock';
import { AggregateRepository } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { roundScore } from '../../../scoring/domain';
import { ScoreReader } from '../../../scoring';
import { Lead } from '../../domain/lead.aggregate';
import { LeadScoresReset, ResetLeadScoresCommand } from './reset-lead-scores.command';

/**
 * LEAD-20: every read, recompute, score-now and merge compares the event time with `leads.score_reset_at`;
 * events and score history stay. The reset is recorded on the lead's stream with the scores it replaced, which
 * the timeline shows as `score_reset` and SSE pushes.
 */
@CommandHandler(ResetLeadScoresCommand)
export class ResetLeadScoresHandler implements ICommandHandler<ResetLeadScoresCommand, LeadScoresReset> {
  constructor(
    private readonly reader: ScoreReader,
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ leadId }: ResetLeadScoresCommand): Promise<LeadScoresReset> {
    const lead = await this.reader.lead(leadId);
    const now = this.clock.now();
    const previous = Object.fromEntries((await this.reader.scores(lead, now)).map((s) => [s.ruleset_id, roundScore(s.score)]));
    await this.repo.execute(Lead, lead.id, RequestContext.eventMetadata(), (l) =>
      l.resetScores({ reset_at: now.toISOString(), previous_scores: previous, lead_id: lead.lead_id }, now),
    );
    RequestContext.describe({ verb: 'reset', entityType: 'lead', entityId: lead.lead_id, summary: `reset the engagement scores of lead ${lead.lead_id}` });
    return { status: 'ok', lead_id: lead.lead_id, previous_scores: previous, score_reset_at: now.toISOString() };
  }
}
