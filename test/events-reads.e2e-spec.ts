import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { api, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';
import { listenToStream as listen } from './support/sse';
import { ago, H, NOW } from './support/time';
import { emailAliases as email, ingest, ingestAndWait, scoreOf } from './support/ingest';

describe('Events: reads, export, deletion, import, real-time stream, metrics', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  const as = () => api(t, sa.auth);
  let leadId: string;
  let ids: string[];

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ env: { SSE_HEARTBEAT_MS: 1000 }, listen: true, now: NOW, rival: 'Readers Rivals', serviceAccount: 'reads' }));
    const rs = (await as().post('/rulesets', { name: 'Main' }).expect(201)).body.ruleset_id;
    await as().post('/rules', { ruleset_id: rs, event_type: 'Page View', weight: 10 }).expect(201);
    await as().post('/rules', { ruleset_id: rs, event_type: 'Email Open', weight: 2 }).expect(201);
    ids = await ingestAndWait(t, sa.auth, [
      { ...email('reader@example.com'), event_type: 'Page View', timestamp: ago(3 * H), metadata: { utm_campaign: 'fall2025', page: '/pricing' } },
      { ...email('reader@example.com'), event_type: 'Page View', timestamp: ago(2 * H), metadata: { utm_campaign: 'spring', page: '/blog', source: 'web' } },
      { ...email('reader@example.com'), event_type: 'Email Open', timestamp: ago(H), metadata: { utm_campaign: 'fall2025', channel: 'email', opens: 3 } },
    ]);
    leadId = (await as().get(`/events`).expect(200)).body.events[0].lead_id;
  });
  afterAll(() => t.close());

  it('lists events newest first with paging and metadata filters (and / or, values compared as text)', async () => {
    const all = (await as().get('/events').expect(200)).body;
    expect(all).toMatchObject({ total: 3, page: 1, limit: 50 });
    expect(all.events.map((e: { id: string }) => e.id)).toEqual([...ids].reverse());
    expect(all.events[0]).toMatchObject({
      id: ids[2],
      lead_id: leadId,
      event_type: 'Email Open',
      timestamp: ago(H),
      channel: 'email',
      suppressed: null,
      metadata: { opens: 3 },
    });
    expect((await as().get('/events?limit=1&page=2').expect(200)).body.events.map((e: { id: string }) => e.id)).toEqual([ids[1]]);
    const fall = (await as().get('/events?metadata=utm_campaign:fall2025').expect(200)).body;
    expect(fall.events.map((e: { id: string }) => e.id).sort()).toEqual([ids[0], ids[2]].sort());
    expect((await as().get('/events?metadata=utm_campaign:fall2025&metadata=page:/pricing').expect(200)).body.total).toBe(1);
    expect((await as().get('/events?metadata=page:/blog&metadata=opens:3&logic=or').expect(200)).body.total).toBe(2);
    const bad = await as().get('/events?metadata=nocolon&limit=501&logic=xor');
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['limit', 'logic', 'metadata']);
    expect((await api(t, b.admin).get('/events').expect(200)).body.total).toBe(0);
  });

  it("lists a lead's events, explains one event's points, shows channels and the activity stream", async () => {
    const mine = (await as().get(`/events/${leadId}?limit=2`).expect(200)).body;
    expect(mine).toMatchObject({ total: 3, page: 1, limit: 2 });
    expect((await as().get(`/events/${leadId}?event_type=page_view`).expect(200)).body.total).toBe(2);
    expect((await as().get('/events/ld_nobody').expect(404)).body.error).toBe('lead_not_found');
    expect((await api(t, b.admin).get(`/events/${leadId}`)).status).toBe(404);

    const explain = (await as().get(`/events/${ids[1]}/score-explain`).expect(200)).body;
    expect(explain).toMatchObject({ event_id: ids[1], lead_id: leadId, event_type: 'Page View', occurred_at: ago(2 * H), suppressed: null });
    expect(explain.rulesets).toEqual([
      expect.objectContaining({ name: 'Main', base_points: 10, multiplier: 1, half_life_days: null, decay_factor: 1, delta: 10, before: 10, after: 20 }),
    ]);
    expect((await api(t, b.admin).get(`/events/${ids[1]}/score-explain`)).status).toBe(404);

    expect((await as().get('/channels').expect(200)).body.sort()).toEqual(['email', 'web']);
    const activity = (await as().get(`/leads/${leadId}/activity?range=last_24h`).expect(200)).body;
    expect(activity.orders).toEqual([]);
    expect(activity.events.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(activity.events[0]).toMatchObject({ type: 'event', score_delta: 2, channel: 'email' });
    expect(activity.timeline.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect((await as().get(`/leads/${leadId}/activity?channel=email`).expect(200)).body.events.length).toBe(1);
    expect((await as().get(`/leads/${leadId}/activity?minScore=5`).expect(200)).body.events.length).toBe(2);
    expect(
      (
        await as()
          .get(`/leads/${leadId}/activity?range=custom&start=${ago(150 * 60_000)}&end=${ago(30 * 60_000)}`)
          .expect(200)
      ).body.events.length,
    ).toBe(2);
    const custom = await as().get(`/leads/${leadId}/activity?range=custom&start=${ago(H)}`);
    expect(custom.status).toBe(400);
    expect(custom.body.details[0].field).toBe('end');
  });

  it('exports the OU’s events as CSV, oldest first', async () => {
    const res = await as()
      .get('/events/export')
      .buffer(true)
      .parse((r, cb) => {
        let s = '';
        r.on('data', (d: Buffer) => (s += d));
        r.on('end', () => cb(null, s));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = (res.body as string).trim().split('\n');
    expect(lines[0]).toBe('id,lead_id,event_type,timestamp');
    expect(lines.slice(1)).toEqual([
      `${ids[0]},${leadId},Page View,${ago(3 * H)}`,
      `${ids[1]},${leadId},Page View,${ago(2 * H)}`,
      `${ids[2]},${leadId},Email Open,${ago(H)}`,
    ]);
    const other = await api(t, b.admin)
      .get('/events/export')
      .buffer(true)
      .parse((r, cb) => {
        let s = '';
        r.on('data', (d: Buffer) => (s += d));
        r.on('end', () => cb(null, s));
      });
    expect((other.body as string).trim()).toBe('id,lead_id,event_type,timestamp');
  });

  it('deletes events of the active OU only and withdraws their points', async () => {
    const extra = await ingestAndWait(t, sa.auth, [
      { ...email('deleted@example.com'), event_type: 'Page View', timestamp: ago(2 * H) },
      { ...email('deleted@example.com'), event_type: 'Page View', timestamp: ago(H) },
    ]);
    const victim = (await as().get(`/events`).expect(200)).body.events.find((e: { id: string }) => e.id === extra[0]).lead_id;
    expect(await scoreOf(t, sa.auth, victim)).toBe(20);
    expect(
      (
        await api(t, b.admin)
          .delete('/events/batch', { ids: [extra[0]] })
          .expect(200)
      ).body,
    ).toEqual({ deleted: 0 });
    expect(
      (
        await as()
          .delete('/events/batch', { ids: [extra[0], '0190c2a4-0000-7000-8000-000000000000'] })
          .expect(200)
      ).body,
    ).toEqual({ deleted: 1 });
    await eventually(async () => (await as().get(`/events/${victim}`)).body.total === 1);
    expect(await scoreOf(t, sa.auth, victim)).toBe(10);
    expect((await as().delete('/events/batch', { ids: ['not-a-uuid'] })).status).toBe(400);
    expect((await as().delete('/events/batch', {})).body.details[0].field).toBe('ids');
  });

  it('imports a CSV as a stream of events: valid rows queued and scored, bad rows reported by line', async () => {
    const csv = [
      'event_type,email,lead_id,timestamp,metadata',
      `Page View,importer@example.com,,${ago(2 * H)},"{""page"":""/import""}"`,
      `Page View,,${leadId},${ago(H)},`,
      ',nobody@example.com,,,',
      'Page View,broken@example.com,,,{not json}',
      'Page View,,ld_unknown,,',
      `Email Open,importer@example.com,,yesterday,`,
    ].join('\n');
    const res = await request(t.http).post('/import?skip_triggers=true').set(sa.auth.header, sa.auth.value).attach('file', Buffer.from(csv), 'events.csv');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ message: 'import queued', imported: 2, errors: 4 });
    expect(res.body.row_errors).toEqual(
      expect.arrayContaining([
        { row: 4, field: 'event_type', reason: expect.any(String) },
        { row: 5, field: 'metadata', reason: 'is not valid JSON' },
        { row: 6, field: 'lead_id', reason: expect.stringContaining('not found') },
        { row: 7, field: 'timestamp', reason: expect.any(String) },
      ]),
    );
    await eventually(async () => (await as().get(`/events?metadata=page:/import`)).body.total === 1);
    await eventually(async () => (await as().get(`/events/${leadId}`)).body.total === 4);
    expect(await scoreOf(t, sa.auth, leadId)).toBe(32);
    const [row] = await t.app.get(DataSource).query(`SELECT source, skip_triggers FROM lead_events WHERE metadata->>'page' = '/import'`);
    expect(row).toEqual({ source: 'import', skip_triggers: true });

    const noColumn = await request(t.http).post('/import').set(sa.auth.header, sa.auth.value).attach('file', Buffer.from('email\nx@example.com\n'), 'e.csv');
    expect(noColumn.status).toBe(400);
    expect(noColumn.body.error).toBe('missing_column');
    const noFile = await request(t.http).post('/import').set(sa.auth.header, sa.auth.value).send({});
    expect(noFile.status).toBe(400);
    expect((await request(t.http).post('/import').attach('file', Buffer.from(csv), 'e.csv')).status).toBe(401);
  });

  it("streams one OU's score updates and ingested events, with heartbeats; another OU hears nothing of them", async () => {
    const mineStream = await listen(t, sa.auth);
    const theirs = await listen(t, b.admin);
    const byQuery = await listen(t, a.admin, `?ouId=${a.unitId}`);
    expect(mineStream.status).toBe(200);
    expect((await listen(t, b.admin, `?ouId=${a.unitId}`)).status).toBe(404);
    try {
      const [id] = await ingest(t, sa.auth, { ...email('live@example.com'), event_type: 'Page View', timestamp: ago(H) });
      await eventually(async () => mineStream.text().includes('event: score_update') && mineStream.text().includes(id));
      const ingested = mineStream
        .text()
        .split('\n\n')
        .find((m) => m.startsWith('event: event_ingested') && m.includes(id))!;
      expect(JSON.parse(ingested.split('data: ')[1])).toMatchObject({ event_id: id, event_type: 'Page View', timestamp: ago(H), suppressed: null });
      const update = mineStream
        .text()
        .split('\n\n')
        .find((m) => m.startsWith('event: score_update'))!;
      expect(JSON.parse(update.split('data: ')[1])).toMatchObject({
        delta: 10,
        score: 10,
        ruleset_id: expect.any(String),
        lead_id: expect.stringMatching(/^ld_/),
      });
      await eventually(async () => byQuery.text().includes(id));
      await eventually(async () => theirs.text().includes(': heartbeat'));
      expect(theirs.text()).not.toContain('event:');
      expect(theirs.text()).not.toContain(id);
    } finally {
      mineStream.close();
      theirs.close();
      byQuery.close();
    }
  });

  it('exposes ingest metrics: accepted events, queue depth and the ingest-to-score latency histogram', async () => {
    const text = (await request(t.http).get('/metrics').expect(200)).text;
    expect(Number(/events_ingested_total\{source="api"\} (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(3);
    expect(Number(/events_ingested_total\{source="import"\} (\d+)/.exec(text)?.[1])).toBe(2);
    expect(Number(/ingest_to_score_latency_seconds_count (\d+)/.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/queue_depth\{queue="ingest"\} \d+/);
  });
});

describe('Ingest when the queue is unavailable', () => {
  let t: TestApp;
  let sa: ServiceAccount;

  beforeAll(async () => {
    ({ t, sa } = await startScenario({ roles: ['api'], serviceAccount: 'outage' }));
  });
  afterAll(() => t.close());

  it('answers 503 and queues nothing — never a 202 for an event that could be lost', async () => {
    const queue = t.app.get<Queue>(getQueueToken('ingest'));
    const accepted = await api(t, sa.auth).post('/ingest', { ...email('before@example.com'), event_type: 'Page View' });
    expect(accepted.status).toBe(202);
    const waitingBefore = await queue.getWaitingCount();
    await queue.client.disconnect();
    const res = await api(t, sa.auth).post('/ingest', [{ ...email('lost@example.com'), event_type: 'Page View' }]);
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('queue_unavailable');
    const csv = await request(t.http)
      .post('/import')
      .set(sa.auth.header, sa.auth.value)
      .attach('file', Buffer.from('event_type,email\nPage View,lost2@example.com\n'), 'e.csv');
    expect(csv.status).toBe(503);
    await queue.client.connect();
    await eventually(async () => (queue.client as { status?: string }).status === 'ready');
    expect(await queue.getWaitingCount()).toBe(waitingBefore);
    const jobs = await queue.getWaiting();
    expect(JSON.stringify(jobs.map((j) => j.data))).not.toContain('lost');
  });
});
