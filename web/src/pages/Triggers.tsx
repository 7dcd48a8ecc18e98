import { useState } from 'preact/hooks';
import { api, must, type Schemas } from '../api/client';
import { useAction, useAsync } from '../lib/hooks';
import { ErrorBox, fmtDate, Health, Loading } from '../lib/ui';

type Trigger = Schemas['MilestoneTriggerDto'];

export function TriggersPage() {
  const triggers = useAsync(() => must(api.GET('/triggers')), []);
  const channels = useAsync(() => must(api.GET('/notification-channels')).catch(() => []), []);
  const health = useAsync(async () => {
    const out: Record<string, Schemas['TriggerHealthDto']> = {};
    await Promise.all(
      (triggers.data ?? []).map(async (t) => {
        out[t.trigger_id] = await must(api.GET('/triggers/{id}/health', { params: { path: { id: t.trigger_id } } })).catch(() => undefined as never);
      }),
    );
    return out;
  }, [triggers.data]);
  const remove = useAction();
  const pause = async (t: Trigger) => {
    const body = { active: !t.active };
    if ((await remove.run(() => must(api.PUT('/triggers/{id}', { params: { path: { id: t.trigger_id } }, body })).then(() => true))) === true)
      triggers.reload();
  };
  const del = async (t: Trigger) => {
    if (!confirm(`Delete the trigger "${t.name}"?`)) return;
    if ((await remove.run(() => must(api.DELETE('/triggers/{id}', { params: { path: { id: t.trigger_id } } })).then(() => true))) === true) triggers.reload();
  };
  return (
    <section>
      <h1>Milestone triggers</h1>
      <ErrorBox error={triggers.error ?? remove.error} />
      {!triggers.data && !triggers.error && <Loading what="triggers" />}
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">When</th>
            <th scope="col">Sends to</th>
            <th scope="col">Health (24 h)</th>
            <th scope="col">Recent failure</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody data-testid="triggers">
          {(triggers.data ?? []).map((t) => {
            const h = health.data?.[t.trigger_id];
            const channel = channels.data?.find((c) => c.id === t.notification_channel_id);
            return (
              <tr key={t.trigger_id}>
                <td>
                  {t.name}
                  {!t.active && <span class="tag">inactive</span>}
                </td>
                <td>
                  score ≥ {t.score_threshold}
                  {t.event_type ? ` on ${t.event_type}` : ''} · {t.fire_mode}
                </td>
                <td>{channel?.name ?? (t.webhook_url || t.teams_webhook_url || (t.emails ?? []).join(', ') || t.slack_target_id || '—')}</td>
                <td>
                  <Health status={h?.status} /> {h ? `${h.delivered_24h} delivered, ${h.failed_24h} failed` : ''}
                </td>
                <td>{h?.last_error ? `${fmtDate(h.last_failure_at)}: ${h.last_error}` : '—'}</td>
                <td>
                  <button type="button" class="secondary" aria-label={`${t.active ? 'Pause' : 'Resume'} ${t.name}`} onClick={() => void pause(t)}>
                    {t.active ? 'Pause' : 'Resume'}
                  </button>{' '}
                  <button type="button" class="secondary" aria-label={`Delete ${t.name}`} onClick={() => void del(t)}>
                    Delete
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <NewTrigger channels={channels.data ?? []} onCreated={triggers.reload} />
    </section>
  );
}

function NewTrigger({ channels, onCreated }: { channels: Schemas['NotificationChannelDto'][]; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [threshold, setThreshold] = useState('50');
  const [eventType, setEventType] = useState('');
  const [mode, setMode] = useState<'once' | 'always'>('once');
  const [channel, setChannel] = useState('');
  const [webhook, setWebhook] = useState('');
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Schemas['CreateMilestoneTriggerDto'] = {
      name: name.trim(),
      score_threshold: Number(threshold),
      fire_mode: mode,
      ...(eventType.trim() ? { event_type: eventType.trim() } : {}),
      ...(channel ? { notification_channel_id: channel } : {}),
      ...(webhook.trim() ? { webhook_url: webhook.trim() } : {}),
    };
    if (await action.run(() => must(api.POST('/triggers', { body })))) {
      setName('');
      onCreated();
    }
  };
  return (
    <form class="card editor" onSubmit={submit} aria-labelledby="new-trigger">
      <h2 id="new-trigger">New trigger</h2>
      <div class="row">
        <div>
          <label for="t-name">Name</label>
          <input id="t-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="narrow">
          <label for="t-threshold">Score threshold</label>
          <input id="t-threshold" type="number" required value={threshold} onInput={(e) => setThreshold(e.currentTarget.value)} />
        </div>
        <div>
          <label for="t-event">Event type (optional)</label>
          <input id="t-event" value={eventType} onInput={(e) => setEventType(e.currentTarget.value)} />
        </div>
        <div>
          <label for="t-mode">Fires</label>
          <select id="t-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value as 'once' | 'always')}>
            <option value="once">once per lead</option>
            <option value="always">every time</option>
          </select>
        </div>
        <div>
          <label for="t-channel">Notification channel</label>
          <select id="t-channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
            <option value="">none</option>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.type})
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="t-webhook">or webhook URL</label>
          <input id="t-webhook" type="url" value={webhook} onInput={(e) => setWebhook(e.currentTarget.value)} placeholder="https://…" />
        </div>
      </div>
      <ErrorBox error={action.error} />
      <button type="submit" disabled={action.busy}>
        Create trigger
      </button>
    </form>
  );
}
