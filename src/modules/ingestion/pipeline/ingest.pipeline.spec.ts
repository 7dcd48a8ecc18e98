import { QueuedEvent } from '../ingest-job';
import { leadPartition } from './ingest.pipeline';

const event = (over: Partial<QueuedEvent>): QueuedEvent => ({
  event_id: 'e-1',
  client_event_id: null,
  org_id: 'org_1',
  unit_id: 'unit_a',
  actor: null,
  lead_id: null,
  aliases: [],
  event_type: 'Page View',
  occurred_at: '2026-01-01T00:00:00.000Z',
  received_at: '2026-01-01T00:00:00.000Z',
  metadata: {},
  source: 'api',
  skip_triggers: false,
  ...over,
});

describe('leadPartition', () => {
  it('puts every event naming a lead the same way in the same partition', () => {
    const byEmail = (id: string) =>
      event({
        event_id: id,
        aliases: [
          { kind: 'email', value: 'jane@example.com' },
          { kind: 'cookie', value: id },
        ],
      });
    const parts = new Set(['a', 'b', 'c', 'd'].map((id) => leadPartition(byEmail(id), 8)));
    expect(parts.size).toBe(1);
    expect(leadPartition(event({ lead_id: 'L-9', event_id: 'x' }), 8)).toBe(leadPartition(event({ lead_id: 'L-9', event_id: 'y' }), 8));
  });

  it('spreads leads over the partitions and keeps OUs apart', () => {
    const counts = new Array(4).fill(0);
    for (let i = 0; i < 4000; i++) counts[leadPartition(event({ lead_id: `lead-${i}` }), 4)]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    const units = new Set(Array.from({ length: 50 }, (_, i) => leadPartition(event({ unit_id: `unit_${i}`, lead_id: 'same' }), 4)));
    expect(units.size).toBeGreaterThan(1);
  });

  it('is always 0 with one partition', () => {
    expect(leadPartition(event({ lead_id: 'anything' }), 1)).toBe(0);
  });
});
