import { eventIngestedAt } from './notification-delivery.job';

describe('eventIngestedAt (event_to_slack_latency_seconds origin)', () => {
  const created = new Date('2026-01-01T10:00:05Z');
  const row = (body: Record<string, unknown>) => ({ created_at: created, payload: { title: 't', why: 'w', body } });

  it("uses the payload's event.received_at when the firing carries it", () => {
    expect(eventIngestedAt(row({ event: { received_at: '2026-01-01T10:00:01Z' } }))).toEqual(new Date('2026-01-01T10:00:01Z'));
  });

  it("falls back to the firing's time (the row's created_at)", () => {
    expect(eventIngestedAt(row({}))).toEqual(created);
    expect(eventIngestedAt(row({ event: { received_at: 'not a date' } }))).toEqual(created);
    expect(eventIngestedAt(row({ event: { received_at: 42 } }))).toEqual(created);
  });
});
