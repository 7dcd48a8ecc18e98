import { Lead } from '../../domain/lead.aggregate';
import { ResetLeadScoresCommand } from './reset-lead-scores.command';
import { ResetLeadScoresHandler } from './reset-lead-scores.handler';

jest.mock('../../../../platform/tenancy/request-context', () => ({ RequestContext: { eventMetadata: () => ({}), describe: () => undefined } }));

describe('ResetLeadScores', () => {
  it('records the reset with the rounded scores it replaces and answers them', async () => {
    const now = new Date('2026-06-15T12:00:00Z');
    const reader = { lead: async () => ({ id: 'ref-1', lead_id: 'ld_1' }), scores: async () => [{ ruleset_id: 'rs_1', score: 12.345 }] };
    const lead = new Lead('ref-1');
    lead.create({ lead_id: 'ld_1', metadata: {}, account_id: null, source: 'api' }, new Date(0));
    lead.markCommitted(1);
    const repo = { execute: async (_t: unknown, _id: string, _m: unknown, decide: (l: Lead) => void) => decide(lead) };
    const handler = new ResetLeadScoresHandler(reader as never, repo as never, { now: () => now } as never);
    const out = await handler.execute(new ResetLeadScoresCommand('ld_1'));
    expect(out).toEqual({ status: 'ok', lead_id: 'ld_1', previous_scores: { rs_1: expect.any(Number) }, score_reset_at: now.toISOString() });
    expect(lead.uncommitted[0].payload).toMatchObject({ reset_at: now.toISOString(), lead_id: 'ld_1', previous_scores: out.previous_scores });
  });

  it('answers the reader’s 404 for a lead not visible', async () => {
    const reader = { lead: async () => Promise.reject(Object.assign(new Error('lead not found'), { code: 'lead_not_found' })) };
    const handler = new ResetLeadScoresHandler(reader as never, {} as never, { now: () => new Date() } as never);
    await expect(handler.execute(new ResetLeadScoresCommand('nope'))).rejects.toMatchObject({ code: 'lead_not_found' });
  });
});
