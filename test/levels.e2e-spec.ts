import { DataSource } from 'typeorm';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { LevelsService } from '../src/modules/levels/config/levels.service';
import { LeadScoreRefresher } from '../src/modules/scoring/rescore.processor';
import { emailAliases as email, ingestAndWait, leadOfEvent, scoreOf } from './support/ingest';
import { createRuleset } from './support/rulesets';
import { startScenario } from './support/scenario';
import { listenToStream, StreamClient } from './support/sse';
import { api, Auth, memberWithRole, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { D, NOW } from './support/time';

type Kind = 'engagement' | 'profile' | 'account';
const SPELLINGS: [Kind, string, string][] = [
  ['engagement', '/engagement-scoring/levels', '/engagement-levels'],
  ['engagement', '/engagement-levels', '/engagement-scoring/levels'],
  ['profile', '/profile-scoring/levels', '/profile-levels'],
  ['profile', '/profile-levels', '/profile-scoring/levels'],
  ['account', '/account-scoring/levels', '/account-levels'],
  ['account', '/account-levels', '/account-scoring/levels'],
];
const idField = (kind: Kind) => (kind === 'engagement' ? 'stage_id' : 'level_id');

interface LevelChangeRow {
  lead_id: string;
  from_level: string | null;
  to_level: string | null;
  cause: string;
}

describe('Levels', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  const as = () => api(t, sa.auth);
  const changesOf = async (leadId: string): Promise<[string | null, string | null][]> =>
    (await t.app.get(DataSource).query(`SELECT lead_id, from_level, to_level, cause FROM lead_level_changes WHERE lead_id = $1 ORDER BY id`, [leadId])).map(
      (r: LevelChangeRow) => [r.from_level, r.to_level],
    );
  const levelOf = async (leadId: string): Promise<string | null> => {
    const leads = (await as().get('/leads?limit=500').expect(200)).body.leads as { lead_id: string; engagement_level: string | null }[];
    return leads.find((l) => l.lead_id === leadId)!.engagement_level;
  };

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ listen: true, now: NOW, rival: 'Level Rivals', serviceAccount: 'levels' }));
    // every event here earns exactly its rule weight: surge session multipliers have their own spec (surge-policy)
    await as().put('/settings/ou/surge-session-policy', { mode: 'off' }).expect(200);
  });
  afterAll(() => t.close());

  describe.each(SPELLINGS.map(([kind, path, other], i) => [`${kind} levels at ${path}`, kind, path, other, i] as const))(
    '%s',
    (_name, kind, path, other, i) => {
      // each spelling works in its own score band; the second spelling of a kind finds the first one's low level
      const base = 1000 * (i + 1);
      const firstOfKind = i % 2 === 0;

      it('are created (201), listed on both spellings, updated partially (200) and deleted (204)', async () => {
        const low = await as()
          .post(path, { name: 'Low', min_score: base, max_score: base + 24 })
          .expect(201);
        const id = idField(kind);
        expect(low.body).toEqual({
          [id]: expect.stringMatching(kind === 'engagement' ? /^st_/ : /^lvl_/),
          name: 'Low',
          min_score: base,
          max_score: base + 24,
          color: null,
          order: firstOfKind ? 0 : 1,
          ruleset_id: null,
          org_id: a.orgId,
          unit_id: a.unitId,
          created_by: `service_account:${sa.id}`,
          updated_by: `service_account:${sa.id}`,
          created_at: expect.any(String),
          updated_at: expect.any(String),
        });
        const top = await as()
          .post(other, { name: 'Top', min_score: base + 25, max_score: null, color: '#ef4444' })
          .expect(201);
        expect(top.body).toMatchObject({ name: 'Top', min_score: base + 25, max_score: null, color: '#ef4444' });

        const listed = (await as().get(other).expect(200)).body as Record<string, unknown>[];
        expect(listed.slice(-2).map((l) => [l[id], l.name, l.min_score, l.max_score])).toEqual([
          [low.body[id], 'Low', base, base + 24],
          [top.body[id], 'Top', base + 25, null],
        ]);
        expect((await as().get(path).expect(200)).body).toEqual(listed);

        const renamed = await as().put(`${path}/${low.body[id]}`, { name: 'Lowest' }).expect(200);
        expect(renamed.body).toMatchObject({ [id]: low.body[id], name: 'Lowest', min_score: base, max_score: base + 24, color: null });
        const closed = await as()
          .put(`${other}/${top.body[id]}`, { max_score: base + 99 })
          .expect(200);
        expect(closed.body).toMatchObject({ name: 'Top', min_score: base + 25, max_score: base + 99, color: '#ef4444' });

        await as().delete(`${other}/${top.body[id]}`).expect(204);
        expect((await as().delete(`${path}/${top.body[id]}`)).status).toBe(404);
        if (!firstOfKind) {
          await as().delete(`${other}/${low.body[id]}`).expect(204);
          const [last] = (await as().get(path).expect(200)).body;
          const refused = await as().delete(`${path}/${last[id]}`);
          expect(refused.status).toBe(400);
          expect(refused.body.error).toBe('last_level');
          expect((await as().get(path).expect(200)).body).toHaveLength(1);
        }
      });

      it('refuse overlapping ranges (409 level_overlap) and min above max (400), writing nothing', async () => {
        const before = (await as().get(path).expect(200)).body;
        const mine = await as()
          .post(path, { name: 'Mid', min_score: base + 200, max_score: base + 299 })
          .expect(201);
        const overlap = await as().post(other, { name: 'Clash', min_score: base + 299, max_score: base + 400 });
        expect(overlap.status).toBe(409);
        expect(overlap.body).toMatchObject({ error: 'level_overlap', details: [{ field: 'min_score', level: 'Mid' }] });
        const openOverlap = await as().post(path, { name: 'Open', min_score: base + 100 });
        expect([openOverlap.status, openOverlap.body.error]).toEqual([409, 'level_overlap']);
        const inverted = await as().post(path, { name: 'Upside down', min_score: base + 500, max_score: base + 400 });
        expect([inverted.status, inverted.body.error, inverted.body.details[0].field]).toEqual([400, 'invalid_level_range', 'max_score']);
        const id = mine.body[idField(kind)];
        expect((await as().put(`${other}/${id}`, { min_score: base + 300 })).body.error).toBe('invalid_level_range');
        const otherLevel = before[0][idField(kind)];
        expect((await as().put(`${other}/${otherLevel}`, { max_score: base + 250 })).status).toBe(409);
        await as().delete(`${path}/${id}`).expect(204);
        expect((await as().get(other).expect(200)).body).toEqual(before);
      });

      it('refuse a bad body (400 naming the field) and an unknown or foreign id (404)', async () => {
        const missing = await as().post(path, { name: 'No range' });
        expect(missing.status).toBe(400);
        expect(missing.body.details.map((d: { field: string }) => d.field)).toContain('min_score');
        expect((await as().post(path, { name: '', min_score: 1 })).body.details[0].field).toBe('name');
        expect((await as().post(path, { name: 'x', min_score: 1.5 })).body.details[0].field).toBe('min_score');
        expect((await as().post(path, { name: 'x', min_score: 1, max_score: 'ten' })).body.details[0].field).toBe('max_score');
        const [level] = (await as().get(path).expect(200)).body;
        expect((await as().put(`${path}/${level[idField(kind)]}`, { min_score: null })).body.details[0].field).toBe('min_score');
        expect((await as().post(`${path}/revert`, {})).body.details[0].field).toBe('history_id');
        expect((await as().put(`${path}/lvl_nobody`, { name: 'x' })).status).toBe(404);
        expect((await as().delete(`${path}/lvl_nobody`)).status).toBe(404);
        expect((await as().post(path, { name: 'x', min_score: 1, ruleset_id: 'rs_nobody' })).body.error).toBe('ruleset_not_found');
        const intruder = api(t, b.admin);
        expect((await intruder.put(`${path}/${level[idField(kind)]}`, { name: 'Taken' })).status).toBe(404);
        expect((await intruder.delete(`${path}/${level[idField(kind)]}`)).status).toBe(404);
        expect((await intruder.get(path).expect(200)).body).toEqual([]);
        const wrongKind = kind === 'engagement' ? '/profile-levels' : '/engagement-levels';
        expect((await as().put(`${wrongKind}/${level[idField(kind)]}`, { name: 'x' })).status).toBe(404);
      });

      it('need a credential (401) and refuse a Viewer any change (403)', async () => {
        expect((await api(t).get(path)).status).toBe(401);
        expect((await api(t).post(path, { name: 'x', min_score: 1 })).status).toBe(401);
        expect((await api(t).get(`${path}/history`)).status).toBe(401);
        const viewer = (await memberWithRole(t, a, `viewer-${i}@levels.example`, 'Viewer')).auth;
        const [level] = (await api(t, viewer).get(path).expect(200)).body;
        expect((await api(t, viewer).post(path, { name: 'x', min_score: base + 900 })).status).toBe(403);
        expect((await api(t, viewer).put(`${path}/${level[idField(kind)]}`, { name: 'x' })).status).toBe(403);
        expect((await api(t, viewer).delete(`${path}/${level[idField(kind)]}`)).status).toBe(403);
        const [entry] = (await api(t, viewer).get(`${path}/history`).expect(200)).body;
        expect((await api(t, viewer).post(`${path}/revert`, { history_id: entry.history_id })).status).toBe(403);
        expect((await as().get(path).expect(200)).body[0].name).toBe(level.name);
      });
    },
  );

  describe('history and revert', () => {
    it('snapshot the whole configuration at every change, newest first; a revert restores one and is a snapshot itself', async () => {
      const path = '/account-scoring/levels';
      const before = (await as().get(path).expect(200)).body;
      const low = (await as().post('/account-levels', { name: 'Low Intent', min_score: 0, max_score: 24 }).expect(201)).body;
      const high = (await as().post(path, { name: 'High Intent', min_score: 50, max_score: 99 }).expect(201)).body;
      await as().put(`${path}/${high.level_id}`, { name: 'Very High Intent' }).expect(200);
      await as().delete(`${path}/${low.level_id}`).expect(204);

      const history = (await as().get(`${path}/history`).expect(200)).body;
      // the levels of the spelling tests sit at 5000 and above
      const earlier = before.map((l: { name: string }) => l.name);
      expect(history.slice(0, 4).map((h: { action: string; levels: { name: string }[] }) => [h.action, h.levels.map((l) => l.name)])).toEqual([
        ['delete', ['Very High Intent', ...earlier]],
        ['update', ['Low Intent', 'Very High Intent', ...earlier]],
        ['create', ['Low Intent', 'High Intent', ...earlier]],
        ['create', ['Low Intent', ...earlier]],
      ]);
      expect(history[0]).toMatchObject({
        history_id: expect.stringMatching(/^lvh_/),
        kind: 'account',
        ruleset_id: null,
        reverted_to: null,
        actor: `service_account:${sa.id}`,
      });
      expect(history[1].levels.find((l: { name: string }) => l.name === 'Very High Intent')).toMatchObject({
        level_id: high.level_id,
        min_score: 50,
        max_score: 99,
      });
      expect((await api(t).get(`${path}/history`)).status).toBe(401);
      expect((await as().get('/account-levels/history').expect(200)).body).toEqual(history);

      const reverted = await as().post('/account-levels/revert', { history_id: history[2].history_id }).expect(200);
      expect(reverted.body).toMatchObject({ action: 'revert', reverted_to: history[2].history_id, kind: 'account' });
      expect(reverted.body.levels.map((l: { name: string }) => l.name)).toEqual(history[2].levels.map((l: { name: string }) => l.name));
      const now = (await as().get(path).expect(200)).body;
      expect(now.map((l: { level_id: string; name: string }) => [l.level_id, l.name])).toEqual(
        history[2].levels.map((l: { level_id: string; name: string }) => [l.level_id, l.name]),
      );
      expect((await as().get(`${path}/history`).expect(200)).body[0]).toEqual(reverted.body);

      await t.app.get(AuditWriter).flush();
      const audited = await t.app
        .get(DataSource)
        .query(`SELECT entity_type, entity_id, summary FROM audit_logs WHERE entity_type IN ('account_level', 'account_levels') ORDER BY id DESC LIMIT 5`);
      expect(audited.map((e: { entity_type: string; entity_id: string; summary: string }) => [e.entity_type, e.entity_id, e.summary])).toEqual([
        ['account_levels', history[2].history_id, expect.stringMatching(/^service_account:\S+ reverted account levels to the snapshot of /)],
        ['account_level', low.level_id, `service_account:${sa.id} deleted account level 'Low Intent'`],
        ['account_level', high.level_id, `service_account:${sa.id} updated account level 'Very High Intent' (50–99)`],
        ['account_level', high.level_id, `service_account:${sa.id} created account level 'High Intent' (50–99)`],
        ['account_level', low.level_id, `service_account:${sa.id} created account level 'Low Intent' (0–24)`],
      ]);
    });

    it('answer 404 for an unknown history entry, one of another kind and one of another OU', async () => {
      const [entry] = (await as().get('/account-scoring/levels/history').expect(200)).body;
      expect((await as().post('/account-scoring/levels/revert', { history_id: 'lvh_nobody' })).body.error).toBe('level_history_not_found');
      expect((await as().post('/profile-scoring/levels/revert', { history_id: entry.history_id })).status).toBe(404);
      expect((await api(t, b.admin).post('/account-scoring/levels/revert', { history_id: entry.history_id })).status).toBe(404);
      expect((await api(t, b.admin).get('/account-scoring/levels/history').expect(200)).body).toEqual([]);
      expect((await as().get('/engagement-scoring/levels/history?ruleset_id=rs_nobody')).status).toBe(404);
    });
  });

  describe('a lead’s engagement level', () => {
    let rulesetId: string;
    let lead: string;
    let sse: StreamClient;
    const ping = (n: number) => Array.from({ length: n }, () => ({ ...email('level-lead@example.com'), event_type: 'Level Ping' }));
    const levelsPath = '/engagement-scoring/levels';
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      rulesetId = (await createRuleset(t, sa.auth, 'Level scoring', [{ event_type: 'Level Ping', weight: 10 }])).id;
      sse = await listenToStream(t, sa.auth);
      // the primary ruleset's own configuration replaces the levels stored before it existed (ruleset_id null)
      for (const [name, min, max] of [
        ['Cold', 0, 19],
        ['Warm', 20, 39],
        ['Hot', 40, null],
      ] as const) {
        const created = await as().post('/engagement-levels', { name, min_score: min, max_score: max, ruleset_id: rulesetId }).expect(201);
        expect(created.body.ruleset_id).toBe(rulesetId);
        ids[name] = created.body.stage_id;
      }
      expect((await as().get(levelsPath).expect(200)).body.map((l: { name: string }) => l.name)).toEqual(['Cold', 'Warm', 'Hot']);
    });
    afterAll(() => sse.close());

    it('moves across levels as scored events arrive, each change a level_changed', async () => {
      const [first] = await ingestAndWait(t, sa.auth, ping(1));
      lead = await leadOfEvent(t, sa.auth, first);
      expect(await scoreOf(t, sa.auth, lead)).toBe(10);
      expect(await levelOf(lead)).toBe('Cold');
      await ingestAndWait(t, sa.auth, ping(1));
      expect(await levelOf(lead)).toBe('Warm');
      await ingestAndWait(t, sa.auth, ping(2));
      expect(await scoreOf(t, sa.auth, lead)).toBe(40);
      expect(await levelOf(lead)).toBe('Hot');
      expect(await changesOf(lead)).toEqual([
        [null, 'Cold'],
        ['Cold', 'Warm'],
        ['Warm', 'Hot'],
      ]);
      await eventually(async () => sse.text().includes(`"to":"Hot"`));
      const messages = sse
        .text()
        .split('\n\n')
        .filter((m) => m.includes('event: level_changed'))
        .map((m) => JSON.parse(m.slice(m.indexOf('data: ') + 6)));
      expect(messages.map((m) => [m.lead_id, m.kind, m.from, m.to])).toEqual([
        [lead, 'engagement', null, 'Cold'],
        [lead, 'engagement', 'Cold', 'Warm'],
        [lead, 'engagement', 'Warm', 'Hot'],
      ]);
      expect(messages[2]).toMatchObject({ ruleset_id: rulesetId, score: 40 });
    });

    it('is shown in lead lists, filtered by name and exported', async () => {
      const hot = (await as().get('/leads?engagement_level=Hot').expect(200)).body;
      expect(hot.leads.map((l: { lead_id: string }) => l.lead_id)).toEqual([lead]);
      expect(hot.leads[0]).toMatchObject({ score: 40, engagement_level: 'Hot', profile_level: null });
      expect((await as().get('/leads?engagement_level=Warm').expect(200)).body.leads).toEqual([]);
      const csv = (await as().get('/leads/export?engagement_level=Hot').expect(200)).text.trim().split('\n');
      expect(csv).toHaveLength(2);
      const header = csv[0].split(',');
      expect(csv[1].split(',')[header.indexOf('engagement_level')]).toBe('Hot');
    });

    it('is re-derived when the levels are edited and when they are reverted', async () => {
      // Hot now starts at 50: the lead's 40 is in no level
      await as().put(`/engagement-levels/${ids.Hot}`, { min_score: 50 }).expect(200);
      expect(await levelOf(lead)).toBeNull();
      expect((await as().put(`/engagement-levels/${ids.Warm}`, { max_score: 50 })).status).toBe(409);
      await as().put(`/engagement-scoring/levels/${ids.Warm}`, { max_score: 49 }).expect(200);
      expect(await levelOf(lead)).toBe('Warm');
      const history = (await as().get(`${levelsPath}/history?ruleset_id=${rulesetId}`).expect(200)).body;
      expect(history.map((h: { action: string }) => h.action)).toEqual(['update', 'update', 'create', 'create', 'create']);
      expect((await as().get(`${levelsPath}/history`).expect(200)).body).toEqual(history);
      await as().post(`${levelsPath}/revert`, { history_id: history[2].history_id }).expect(200);
      expect(await levelOf(lead)).toBe('Hot');
      expect(
        (await as().get(levelsPath).expect(200)).body.map((l: { name: string; min_score: number; max_score: number | null }) => [
          l.name,
          l.min_score,
          l.max_score,
        ]),
      ).toEqual([
        ['Cold', 0, 19],
        ['Warm', 20, 39],
        ['Hot', 40, null],
      ]);
      expect((await changesOf(lead)).slice(3)).toEqual([
        ['Hot', null],
        [null, 'Warm'],
        ['Warm', 'Hot'],
      ]);
      await eventually(async () => sse.text().split('event: level_changed').length - 1 === 6);
      // a rename keeps the lead in its level: its name follows, no level_changed
      await as().put(`/engagement-levels/${ids.Hot}`, { name: 'On fire' }).expect(200);
      expect(await levelOf(lead)).toBe('On fire');
      expect(await changesOf(lead)).toHaveLength(6);
    });

    it('follows an edit of a large OU in the background (worker), with its level_changed', async () => {
      const service = t.app.get(LevelsService);
      service.inlineReclassifyLimit = 0;
      try {
        await as().put(`/engagement-levels/${ids.Hot}`, { min_score: 41 }).expect(200);
        await eventually(async () => (await levelOf(lead)) === null);
        expect((await changesOf(lead)).at(-1)).toEqual(['On fire', null]);
        await as().put(`/engagement-levels/${ids.Hot}`, { min_score: 40 }).expect(200);
        await eventually(async () => (await levelOf(lead)) === 'On fire');
      } finally {
        service.inlineReclassifyLimit = 5000;
      }
    });

    it('follows half-life decay at the hourly score refresh', async () => {
      await as().post('/rules', { ruleset_id: rulesetId, event_type: 'Level Fade', weight: 30, half_life_days: 1 }).expect(201);
      const [fade] = await ingestAndWait(t, sa.auth, { ...email('fading@example.com'), event_type: 'Level Fade', timestamp: NOW.toISOString() });
      const faded = await leadOfEvent(t, sa.auth, fade);
      expect(await levelOf(faded)).toBe('Warm');
      t.clock.set(new Date(NOW.getTime() + D));
      await t.app.get(LeadScoreRefresher).hourly();
      expect(await scoreOf(t, sa.auth, faded)).toBe(15);
      expect(await levelOf(faded)).toBe('Cold');
      expect(await changesOf(faded)).toEqual([
        [null, 'Warm'],
        ['Warm', 'Cold'],
      ]);
      const [{ cause }] = await t.app.get(DataSource).query(`SELECT cause FROM lead_level_changes WHERE lead_id = $1 ORDER BY id DESC LIMIT 1`, [faded]);
      expect(cause).toBe('score_refresh');
    });

    it('follows a switch of the primary ruleset: its score and its levels (none here: the OU’s unassigned levels apply)', async () => {
      const other = (await as().post('/rulesets', { name: 'No levels', is_primary: true }).expect(201)).body.ruleset_id;
      // the new primary scores nothing (0) and has no levels: those stored without a ruleset (1000 and up) are in effect
      expect((await as().get(levelsPath).expect(200)).body.map((l: { ruleset_id: string | null }) => l.ruleset_id)).toEqual([null]);
      expect(await levelOf(lead)).toBeNull();
      const [last] = await t.app
        .get(DataSource)
        .query(`SELECT from_level, to_level, cause FROM lead_level_changes WHERE lead_id = $1 ORDER BY id DESC LIMIT 1`, [lead]);
      expect(last).toEqual({ from_level: 'On fire', to_level: null, cause: 'primary_changed' });
      // the former primary's configuration is still there, by name
      expect((await as().get(`${levelsPath}?ruleset_id=${rulesetId}`).expect(200)).body.map((l: { name: string }) => l.name)).toEqual([
        'Cold',
        'Warm',
        'On fire',
      ]);
      expect((await as().get(`${levelsPath}?ruleset_id=${other}`).expect(200)).body).toEqual([]);
    });

    it('keeps other OUs apart', async () => {
      const other: Auth = b.admin;
      expect((await api(t, other).get('/engagement-scoring/levels').expect(200)).body).toEqual([]);
      expect((await api(t, other).get('/leads?engagement_level=Cold').expect(200)).body.leads).toEqual([]);
    });
  });
});
