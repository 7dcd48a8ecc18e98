import { useEffect, useState } from 'preact/hooks';
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
  const [editing, setEditing] = useState<Trigger>();
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
                  <button type="button" class="secondary" aria-label={`Edit ${t.name}`} onClick={() => setEditing(t)}>
                    Edit
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
      <TriggerForm
        key={editing?.trigger_id ?? 'new'}
        channels={channels.data ?? []}
        editing={editing}
        onSaved={() => {
          setEditing(undefined);
          triggers.reload();
        }}
        onCancel={() => setEditing(undefined)}
      />
    </section>
  );
}

/**
 * A new trigger, or (`editing`) the whole of an existing one: every field of the form is sent, a cleared channel or
 * webhook as null (the API's partial PUT keeps what is not sent: e-mail, Slack and level filters stay as they are).
 */
function TriggerForm(props: { channels: Schemas['NotificationChannelDto'][]; editing?: Trigger; onSaved: () => void; onCancel: () => void }) {
  const { channels, editing: t } = props;
  const [name, setName] = useState(t?.name ?? '');
  const [threshold, setThreshold] = useState(String(t?.score_threshold ?? 50));
  const [eventType, setEventType] = useState(t?.event_type ?? '');
  const [mode, setMode] = useState<'once' | 'always'>((t?.fire_mode as 'once' | 'always' | undefined) ?? 'once');
  const [cooldown, setCooldown] = useState(String(t?.cooldown_seconds ?? 0));
  const [channel, setChannel] = useState(t?.notification_channel_id ?? '');
  const [webhook, setWebhook] = useState(t?.webhook_url ?? '');
  const action = useAction();
  // an edit starts where the form is: its first field focused (and scrolled to)
  useEffect(() => {
    if (t) document.getElementById('t-name')?.focus();
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const fields = {
      name: name.trim(),
      score_threshold: Number(threshold),
      fire_mode: mode,
      ...(mode === 'always' ? { cooldown_seconds: Number(cooldown) } : {}),
    };
    const saved = t
      ? await action.run(() =>
          must(
            api.PUT('/triggers/{id}', {
              params: { path: { id: t.trigger_id } },
              body: { ...fields, event_type: eventType.trim(), notification_channel_id: channel || null, webhook_url: webhook.trim() || null },
            }),
          ),
        )
      : await action.run(() =>
          must(
            api.POST('/triggers', {
              body: {
                ...fields,
                ...(eventType.trim() ? { event_type: eventType.trim() } : {}),
                ...(channel ? { notification_channel_id: channel } : {}),
                ...(webhook.trim() ? { webhook_url: webhook.trim() } : {}),
              },
            }),
          ),
        );
    if (saved) {
      setName('');
      props.onSaved();
    }
  };
  return (
    <form class="card editor" onSubmit={submit} aria-labelledby="trigger-form">
      <h2 id="trigger-form">{t ? `Edit trigger ${t.name}` : 'New trigger'}</h2>
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
        {mode === 'always' && (
          <div class="narrow">
            <label for="t-cooldown">Cooldown (seconds)</label>
            <input id="t-cooldown" type="number" min="0" required value={cooldown} onInput={(e) => setCooldown(e.currentTarget.value)} />
          </div>
        )}
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
      <div class="actions">
        <button type="submit" disabled={action.busy}>
          {t ? 'Save trigger' : 'Create trigger'}
        </button>
        {t && (
          <button type="button" class="secondary" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
