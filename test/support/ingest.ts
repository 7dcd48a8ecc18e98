import { eventually, TestApp } from './test-app';
import { api, Auth } from './tenants';

/** The `aliases` part of an event identifying its lead by email. */
export const emailAliases = (value: string) => ({ aliases: [{ alias_kind: 'email', raw_value: value }] });

/** The lead an ingested event was recorded on (from GET /events). */
export async function leadOfEvent(t: TestApp, auth: Auth, eventId: string): Promise<string> {
  const res = await api(t, auth).get('/events?limit=500').expect(200);
  return res.body.events.find((e: { id: string }) => e.id === eventId)?.lead_id as string;
}

/** POSTs events to /ingest (202 expected) and returns their server event ids. */
export async function ingest(t: TestApp, auth: Auth, body: object | object[]): Promise<string[]> {
  const res = await api(t, auth).post('/ingest', body as object);
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.event_ids;
}

/** Waits until every id is listed by GET /events (recorded, projected, scores recomputed in the same step). */
export async function processed(t: TestApp, auth: Auth, ids: string[], timeoutMs = 20000): Promise<void> {
  const want = new Set(ids);
  await eventually(async () => {
    const seen = new Set<string>();
    for (let page = 1; ; page++) {
      const res = await api(t, auth).get(`/events?limit=500&page=${page}`);
      if (res.status !== 200) return false;
      for (const e of res.body.events) seen.add(e.id);
      if (res.body.events.length < 500) break;
    }
    return [...want].every((id) => seen.has(id));
  }, timeoutMs);
}

/** Ingests and waits for the events to be scored. */
export async function ingestAndWait(t: TestApp, auth: Auth, body: object | object[]): Promise<string[]> {
  const ids = await ingest(t, auth, body);
  await processed(t, auth, ids);
  return ids;
}

export async function scoreOf(t: TestApp, auth: Auth, leadId: string, ruleset?: string): Promise<number> {
  const res = await api(t, auth).get(`/score/${encodeURIComponent(leadId)}${ruleset ? `?ruleset=${encodeURIComponent(ruleset)}` : ''}`);
  if (res.status !== 200) throw new Error(`GET /score/${leadId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.score;
}
