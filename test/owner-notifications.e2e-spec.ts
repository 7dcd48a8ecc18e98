import { DataSource } from 'typeorm';
import { ProjectionRebuilder } from '../src/platform/projections/projection-rebuilder.service';
import { ProjectionRegistry } from '../src/platform/projections/projection.registry';
import { ProjectionRunner } from '../src/platform/projections/projection-runner.service';
import { CLIENT_SECRET, fakeSlack } from './support/fake-slack';
import { emailAliases as email, ingestAndWait, leadOfEvent } from './support/ingest';
import { milestoneScoring } from './support/rulesets';
import { startScenario } from './support/scenario';
import { activateOu, api, Auth, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';

/** The admin's DM channel as the fake Slack opens it (conversations.open answers `D0<user>`). */
const ADMIN_DM = 'D0U0ADMIN01';
const SHARED = 'C0SHARED01';

/**
 * "Notify the Lead Owner" (OWN-1..4) end to end: triggers with `notify_owner` DM the lead's owner on Slack through
 * the outbox for each new firing (milestone reached and exited, sequence completed, surge detected), within the
 * owner's preferences, while the trigger's shared destination gets its notification regardless; and the Slack
 * "ruleset published" post (SL-5, RS-7) when the OU opted in.
 */
describe('Owner notifications and ruleset publish posts', () => {
  let t: TestApp;
  let a: Tenant;
  let sa: Auth;
  let ds: DataSource;
  let slack: Awaited<ReturnType<typeof fakeSlack>>;
  let sharedChannelId: string;
  const as = () => api(t, a.admin);

  const catchUp = async (...names: string[]) => {
    for (const name of names) await t.app.get(ProjectionRunner).catchUp(t.app.get(ProjectionRegistry).get(name));
  };
  const send = async (who: string, eventType: string) => {
    const [id] = await ingestAndWait(t, sa, { ...email(who), event_type: eventType });
    await catchUp('trigger_detection', 'surge_detection');
    return id;
  };
  /** A lead (created by a Page View, 10 points) owned by A's admin, who is mapped to Slack user U0ADMIN01. */
  const ownedLead = async (who: string) => {
    const leadId = await leadOfEvent(t, sa, await send(who, 'Page View'));
    await as().post(`/leads/${leadId}/owner`, { owner_id: a.adminMemberId, owner_name: 'Admin' }).expect(200);
    return leadId;
  };
  const posts = (channel: string, contains: string) =>
    slack
      .of('chat.postMessage')
      .filter((c) => c.form.channel === channel && c.form.text.includes(contains))
      .map((c) => c.form.text);
  /** every outbox row of the trigger has been sent (or given up on) */
  const settled = (triggerId: string) =>
    eventually(async () => {
      const rows = await ds.query(`SELECT status FROM notification_deliveries WHERE trigger_id = $1`, [triggerId]);
      return rows.length > 0 && rows.every((r: { status: string }) => r.status !== 'pending');
    });
  const dmRows = (triggerId: string) =>
    ds.query(`SELECT status, kind, target FROM notification_deliveries WHERE trigger_id = $1 AND target ? 'user_id' ORDER BY created_at`, [triggerId]);

  beforeAll(async () => {
    slack = await fakeSlack();
    const s = await startScenario({
      serviceAccount: 'owner-dm-pipe',
      env: { SLACK_API_BASE_URL: `${slack.base}/api`, SLACK_AUTHORIZE_URL: `${slack.base}/oauth/v2/authorize`, KENBUN_PUBLIC_URL: 'https://kenbun.example' },
    });
    ({ t, a } = s);
    sa = s.sa.auth;
    ds = t.app.get(DataSource);
    await activateOu(t, a.admin, a.unitId);
    // Slack: the organization's app, the OU's install, the admin mapped to U0ADMIN01 by e-mail
    await as().put('/settings/slack', { client_id: '111.222', client_secret: CLIENT_SECRET }).expect(200);
    const state = new URL((await as().post('/settings/ou/slack/install').expect(200)).body.authorize_url).searchParams.get('state')!;
    await api(t)
      .get(`/slack/oauth/callback?code=good-code&state=${encodeURIComponent(state)}`)
      .expect(302);
    expect((await as().post('/integrations/slack/sync-identities').expect(200)).body.matched).toBe(1);
    sharedChannelId = (
      await as()
        .post('/notification-channels', { name: 'Shared sales', type: 'slack', config: { channel_id: SHARED, channel_name: '#shared' } })
        .expect(201)
    ).body.id;
    await milestoneScoring(t, a.admin);
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => slack.server.close(r));
  });

  describe('configuration', () => {
    it('takes notify_owner (default false) on milestone, sequence and surge triggers; anything but a boolean is a 400 naming it', async () => {
      const milestone = (await as().post('/triggers', { score_threshold: 500, notify_owner: true }).expect(201)).body;
      expect(milestone).toMatchObject({ score_threshold: 500, notify_owner: true });
      expect((await as().put(`/triggers/${milestone.trigger_id}`, { notify_owner: false }).expect(200)).body.notify_owner).toBe(false);
      expect((await as().put(`/triggers/${milestone.trigger_id}`, { name: 'Renamed' }).expect(200)).body).toMatchObject({
        name: 'Renamed',
        notify_owner: false,
      });
      expect((await as().post('/triggers', { score_threshold: 600 }).expect(201)).body.notify_owner).toBe(false);

      const sequence = (
        await as()
          .post('/sequences', { event_types: ['X Step', 'Y Step'], window_seconds: 60 })
          .expect(201)
      ).body;
      expect(sequence.notify_owner).toBe(false);
      expect((await as().put(`/sequences/${sequence.trigger_id}`, { notify_owner: true }).expect(200)).body.notify_owner).toBe(true);

      // an owner DM alone is enough of a destination for an active surge trigger
      const surge = (await as().post('/surge-triggers', { event_type: 'Nothing', window_seconds: 60, threshold_count: 9, notify_owner: true }).expect(201))
        .body;
      expect(surge).toMatchObject({ active: true, notify_owner: true });
      expect((await as().put(`/surge-triggers/${surge.trigger_id}`, { notify_owner: false }).expect(400)).body.error).toBe('destination_required');
      await as().put(`/surge-triggers/${surge.trigger_id}`, { notify_owner: false, active: false }).expect(204);
      expect((await as().get('/surge-triggers').expect(200)).body[0]).toMatchObject({ trigger_id: surge.trigger_id, notify_owner: false });

      for (const [path, body] of [
        ['/triggers', { score_threshold: 50, notify_owner: 'yes' }],
        ['/sequences', { event_types: ['A', 'B'], window_seconds: 60, notify_owner: 1 }],
        ['/surge-triggers', { window_seconds: 60, threshold_count: 2, emails: ['x@example.com'], notify_owner: 'true' }],
      ] as const) {
        const res = await as().post(path, body).expect(400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['notify_owner']);
      }
      await as().put(`/triggers/${milestone.trigger_id}`, { notify_owner: null }).expect(400);

      await as().delete(`/sequences/${sequence.trigger_id}`).expect(204);
      await as().delete(`/surge-triggers/${surge.trigger_id}`).expect(204);
      // milestone triggers: this one and the one created with notify_owner omitted
      for (const tr of (await as().get('/triggers').expect(200)).body) await as().delete(`/triggers/${tr.trigger_id}`).expect(204);
    });
  });

  describe('milestone triggers', () => {
    let triggerId: string;
    beforeAll(async () => {
      triggerId = (
        await as()
          .post('/triggers', { name: 'Hot lead', score_threshold: 35, fire_mode: 'always', notification_channel_id: sharedChannelId, notify_owner: true })
          .expect(201)
      ).body.trigger_id;
    });
    afterAll(async () => {
      await as().delete(`/triggers/${triggerId}`).expect(204);
    });

    it('DMs the owner exactly once when the score reaches the threshold, with the Why line; the shared channel gets its post', async () => {
      const leadId = await ownedLead('reached@example.com');
      await send('reached@example.com', 'Demo Request');
      await settled(triggerId);
      expect(posts(ADMIN_DM, leadId)).toEqual([`*Milestone reached: Hot lead — lead ${leadId}*\nScore 40 reached 35 after Demo Request (+30)`]);
      expect(posts(SHARED, leadId)).toEqual([`*Hot lead — lead ${leadId}*\nScore 40 reached 35 after Demo Request (+30)`]);
      expect(await dmRows(triggerId)).toEqual([{ status: 'delivered', kind: 'slack', target: { user_id: 'U0ADMIN01' } }]);

      // a replay of the Lead stream records nothing twice and sends nothing again
      await t.app.get(ProjectionRebuilder).rebuild('trigger_detection');
      await settled(triggerId);
      expect(posts(ADMIN_DM, leadId)).toHaveLength(1);
      expect(await dmRows(triggerId)).toHaveLength(1);
    });

    it('DMs "Milestone exited" when the score falls back below the threshold; exited goes to no shared destination', async () => {
      const leadId = await ownedLead('exited@example.com');
      await send('exited@example.com', 'Demo Request');
      await send('exited@example.com', 'Unsubscribe');
      await settled(triggerId);
      await eventually(async () => posts(ADMIN_DM, leadId).length === 2);
      // the worker sends the two DMs in either order
      expect(posts(ADMIN_DM, leadId).sort()).toEqual([
        `*Milestone exited: Hot lead — lead ${leadId}*\nScore 10 fell below 35 after Unsubscribe (-30)`,
        `*Milestone reached: Hot lead — lead ${leadId}*\nScore 40 reached 35 after Demo Request (+30)`,
      ]);
      expect(posts(SHARED, leadId)).toEqual([`*Hot lead — lead ${leadId}*\nScore 40 reached 35 after Demo Request (+30)`]);
    });

    it('sends no DM when the owner muted the event type or turned notifications off, while the shared channel still gets its post', async () => {
      await as()
        .put('/me/notification-prefs', { prefs: [{ event_type: 'milestone_reached', muted: true }] })
        .expect(200);
      const muted = await ownedLead('muted@example.com');
      await send('muted@example.com', 'Demo Request');
      await settled(triggerId);
      expect(posts(SHARED, muted)).toHaveLength(1);
      expect(posts(ADMIN_DM, muted)).toEqual([]);

      // master switch off (the per-type choice back on): still no DM
      await as()
        .put('/me/notification-prefs', { notifications_enabled: false, prefs: [{ event_type: 'milestone_reached', muted: false }] })
        .expect(200);
      const off = await ownedLead('switched-off@example.com');
      await send('switched-off@example.com', 'Demo Request');
      await settled(triggerId);
      expect(posts(SHARED, off)).toHaveLength(1);
      expect(posts(ADMIN_DM, off)).toEqual([]);

      // back on: the next firing is DMed again
      await as().put('/me/notification-prefs', { notifications_enabled: true }).expect(200);
      const on = await ownedLead('back-on@example.com');
      await send('back-on@example.com', 'Demo Request');
      await settled(triggerId);
      expect(posts(ADMIN_DM, on)).toHaveLength(1);
      expect(await dmRows(triggerId)).toHaveLength(4); // reached, reached + exited, back-on
    });

    it('sends no DM when the trigger has notify_owner false', async () => {
      await as().put(`/triggers/${triggerId}`, { notify_owner: false }).expect(200);
      const leadId = await ownedLead('quiet@example.com');
      await send('quiet@example.com', 'Demo Request');
      await settled(triggerId);
      expect(posts(SHARED, leadId)).toHaveLength(1);
      expect(posts(ADMIN_DM, leadId)).toEqual([]);
      expect(await dmRows(triggerId)).toHaveLength(4);
      await as().put(`/triggers/${triggerId}`, { notify_owner: true }).expect(200);
    });
  });

  it('DMs the owner when a sequence with notify_owner completes ("Sequence completed")', async () => {
    const seq = (
      await as()
        .post('/sequences', { name: 'Pricing then demo', event_types: ['Pricing View', 'Webinar'], window_seconds: 3600, notify_owner: true })
        .expect(201)
    ).body;
    const leadId = await ownedLead('sequence@example.com');
    await send('sequence@example.com', 'Pricing View');
    await send('sequence@example.com', 'Webinar');
    await settled(seq.trigger_id);
    expect(posts(ADMIN_DM, leadId)).toEqual([`*Sequence completed: Pricing then demo — lead ${leadId}*\nCompleted Pricing View + Webinar within 3600 s`]);
    await as().delete(`/sequences/${seq.trigger_id}`).expect(204);
  });

  it('DMs the owner when a surge trigger with notify_owner fires ("Surge detected"), and only for a new firing', async () => {
    const surge = (
      await as()
        .post('/surge-triggers', { name: 'Demo burst', event_type: 'Trial Start', window_seconds: 600, threshold_count: 2, notify_owner: true })
        .expect(201)
    ).body;
    const leadId = await ownedLead('surge@example.com');
    await send('surge@example.com', 'Trial Start');
    await send('surge@example.com', 'Trial Start');
    await send('surge@example.com', 'Trial Start'); // within the window of the last firing: not a new firing
    await settled(surge.trigger_id);
    expect(posts(ADMIN_DM, leadId)).toEqual([`*Surge detected: Demo burst — lead ${leadId}*\nSurging: 2 Trial Start events in 600 s`]);
    expect(await dmRows(surge.trigger_id)).toEqual([{ status: 'delivered', kind: 'slack', target: { user_id: 'U0ADMIN01' } }]);
    await as().delete(`/surge-triggers/${surge.trigger_id}`).expect(204);
  });

  describe('ruleset publish posts (SL-5)', () => {
    const publish = () => catchUp('slack_ruleset_publish_posts');

    it('posts nothing while the OU has not opted in', async () => {
      const draft = (await as().post('/profile-scoring/rulesets', { name: 'Quiet ICP', is_primary: true }).expect(201)).body.id;
      // a catch-up only sees events older than every open transaction: look again until the event was handled
      const seen = await eventually(async () => {
        await publish();
        return (await ds.query(`SELECT ruleset_id, delivery_id FROM ruleset_publish_posts WHERE ruleset_id = $1`, [draft]))[0];
      });
      expect(seen).toEqual({ ruleset_id: draft, delivery_id: null });
      expect(posts('C0PUBLISH1', 'Quiet ICP')).toEqual([]);
    });

    it('posts once to the default target when opted in: created primary and active, or made primary', async () => {
      await as().put('/settings/ou/slack/default-target', { kind: 'channel', id: 'C0PUBLISH1' }).expect(200);
      await as().put('/settings/ou/slack/publish-notifications', { enabled: true }).expect(200);

      // created active but not primary: not a publish
      const icp = (await as().post('/profile-scoring/rulesets', { name: 'Fintech ICP' }).expect(201)).body.id;
      for (const [i, industry] of ['Fintech', 'SaaS'].entries()) {
        await as()
          .post(`/profile-scoring/rulesets/${icp}/rules`, {
            profile_property: 'industry',
            condition: 'in',
            comparison_value: industry,
            weight: 10,
            ui_order: i,
          })
          .expect(201);
      }
      await publish();
      expect(posts('C0PUBLISH1', 'Fintech ICP')).toEqual([]);

      await as().put(`/profile-scoring/rulesets/${icp}`, { name: 'Fintech ICP', is_primary: true }).expect(200);
      await publish();
      await settled(icp);
      const texts = posts('C0PUBLISH1', 'Fintech ICP');
      expect(texts).toHaveLength(1);
      expect(texts[0]).toMatch(
        new RegExp(`^\\*Ruleset published: Fintech ICP\\*\\nprofile ruleset, 2 rules; published by ${a.adminEmail} at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`),
      );

      // replays and a rebuild post nothing again
      await t.app.get(ProjectionRebuilder).rebuild('slack_ruleset_publish_posts');
      await publish();
      await settled(icp);
      expect(posts('C0PUBLISH1', 'Fintech ICP')).toHaveLength(1);
      expect(await ds.query(`SELECT trigger_type, status FROM notification_deliveries WHERE trigger_id = $1`, [icp])).toEqual([
        { trigger_type: 'ruleset', status: 'delivered' },
      ]);
      expect(posts('C0PUBLISH1', 'Quiet ICP')).toEqual([]);
    });
  });
});
