import { Injectable } from '@nestjs/common';
import { roundScore } from '../domain/score-rounding';
import { LeadScoreDto } from '../http/scoring.dto';
import { ScoringErrors } from '../scoring.errors';
import { ScoreReader } from './score-reader.service';

/** GET /score/{leadID}: one lead's engagement score, exact as of now. */
@Injectable()
export class LeadScoreQuery {
  constructor(private readonly reader: ScoreReader) {}

  async score(leadId: string, ruleset?: string): Promise<LeadScoreDto> {
    const lead = await this.reader.lead(leadId);
    const scores = await this.reader.scores(lead);
    const all = Object.fromEntries(scores.map((s) => [s.ruleset_id, roundScore(s.score)]));
    if (ruleset) {
      const hit = scores.find((s) => s.ruleset_id === ruleset) ?? scores.find((s) => s.name === ruleset);
      if (!hit) throw ScoringErrors.notFound('ruleset_not_found', 'ruleset');
      return { lead_id: lead.lead_id, score: roundScore(hit.score), ruleset_id: hit.ruleset_id, scores: all, engagement_scores: all, profile_scores: {} };
    }
    // without a selector, the highest score across the OU's active engagement rulesets (0 when none is active)
    const best = scores.filter((s) => s.active).sort((a, b) => b.score - a.score)[0];
    return {
      lead_id: lead.lead_id,
      score: best ? roundScore(best.score) : 0,
      ruleset_id: best?.ruleset_id ?? null,
      scores: all,
      engagement_scores: all,
      profile_scores: {},
    };
  }
}
