import { useEffect, useState } from 'preact/hooks';
import { api, must, type Schemas } from '../api/client';
import { useAction, useAsync } from '../lib/hooks';
import { ErrorBox, fmtDate, Health, Loading } from '../lib/ui';

type ChannelType = Schemas['CreateNotificationChannelDto']['type'];
type Channel = Schemas['NotificationChannelDto'];
const CONFIG_KEY: Record<ChannelType, string> = { slack: 'channel_id', teams: 'webhook_url', webhook: 'url', email: 'recipients' };

/** A channel's main destination as the form shows it (e-mail recipients joined). */
function targetOf(c: Channel): string {
  const v = c.config[CONFIG_KEY[c.type as ChannelType]];
  return Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : '';
}

export function ChannelsPage() {
  const channels = useAsync(() => must(api.GET('/notification-channels')), []);
  const health = useAsync(async () => {
    const out: Record<string, Schemas['ChannelHealthDto']> = {};
    await Promise.all(
      (channels.data ?? []).map(async (c) => {
        out[c.id] = await must(api.GET('/notification-channels/{id}/health', { params: { path: { id: c.id } } })).catch(() => undefined as never);
      }),
    );
    return out;
  }, [channels.data]);
  const failures = useAsync(() => must(api.GET('/notification-failures', { params: { query: { limit: 20 } } })), []);
  const [editing, setEditing] = useState<Channel>();
  const remove = useAction();
  const del = async (c: Schemas['NotificationChannelDto']) => {
    if (!confirm(`Delete the channel "${c.name}"?`)) return;
    if ((await remove.run(() => must(api.DELETE('/notification-channels/{id}', { params: { path: { id: c.id } } })).then(() => true))) === true)
      channels.reload();
  };
  return (
    <section>
      <h1>Notification channels</h1>
      <ErrorBox error={channels.error ?? remove.error} />
      {!channels.data && !channels.error && <Loading what="channels" />}
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Health (24 h)</th>
            <th scope="col">Last failure</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(channels.data ?? []).map((c) => {
            const h = health.data?.[c.id];
            return (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td>{c.type}</td>
                <td>
                  <Health status={h?.status} /> {h ? `${h.delivered_24h} delivered, ${h.failed_24h} failed` : ''}
                </td>
                <td>{h?.last_error ? `${fmtDate(h.last_failure_at)}: ${h.last_error}` : '—'}</td>
                <td>
                  <button type="button" class="secondary" aria-label={`Edit ${c.name}`} onClick={() => setEditing(c)}>
                    Edit
                  </button>{' '}
                  <button type="button" class="secondary" aria-label={`Delete ${c.name}`} onClick={() => void del(c)}>
                    Delete
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ChannelForm
        key={editing?.id ?? 'new'}
        editing={editing}
        onSaved={() => {
          setEditing(undefined);
          channels.reload();
        }}
        onCancel={() => setEditing(undefined)}
      />
      <h2>Recent failures</h2>
      <ErrorBox error={failures.error} />
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Destination</th>
            <th scope="col">Stage</th>
            <th scope="col">Attempts</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {(failures.data?.items ?? []).map((f) => (
            <tr key={f.id}>
              <td>{fmtDate(f.last_attempt_at ?? f.created_at)}</td>
              <td>{f.destination}</td>
              <td>{f.failure_stage}</td>
              <td class="num">{f.attempts}</td>
              <td>
                {f.http_status ? `HTTP ${f.http_status}: ` : ''}
                {f.last_error}
              </td>
            </tr>
          ))}
          {failures.data && !failures.data.items.length && (
            <tr>
              <td colSpan={5} class="muted">
                No failed deliveries.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

/**
 * A new channel, or (`editing`) an existing one renamed, retargeted or given another type. The API replaces the whole
 * config, so an edit keeps the rest of it (a webhook's masked auth header keeps the stored secret); a new type starts
 * from its destination alone.
 */
function ChannelForm(props: { editing?: Channel; onSaved: () => void; onCancel: () => void }) {
  const c = props.editing;
  const [name, setName] = useState(c?.name ?? '');
  const [type, setType] = useState<ChannelType>((c?.type as ChannelType | undefined) ?? 'webhook');
  const [target, setTarget] = useState(c ? targetOf(c) : '');
  const action = useAction();
  useEffect(() => {
    if (c) document.getElementById('c-name')?.focus();
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const destination = { [CONFIG_KEY[type]]: target.trim() };
    const saved = c
      ? await action.run(() =>
          must(
            api.PUT('/notification-channels/{id}', {
              params: { path: { id: c.id } },
              body: { name: name.trim(), type, config: type === c.type ? { ...c.config, ...destination } : destination },
            }),
          ),
        )
      : await action.run(() => must(api.POST('/notification-channels', { body: { name: name.trim(), type, config: destination } })));
    if (saved) {
      setName('');
      setTarget('');
      props.onSaved();
    }
  };
  return (
    <form class="card editor" onSubmit={submit} aria-labelledby="channel-form">
      <h2 id="channel-form">{c ? `Edit channel ${c.name}` : 'New channel'}</h2>
      <div class="row">
        <div>
          <label for="c-name">Name</label>
          <input id="c-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div>
          <label for="c-type">Type</label>
          <select id="c-type" value={type} onChange={(e) => setType(e.currentTarget.value as ChannelType)}>
            <option value="webhook">webhook</option>
            <option value="slack">Slack</option>
            <option value="teams">Teams</option>
            <option value="email">e-mail</option>
          </select>
        </div>
        <div>
          <label for="c-target">
            {{ slack: 'Slack channel id', teams: 'Teams webhook URL', webhook: 'Webhook URL', email: 'Recipients (comma-separated)' }[type]}
          </label>
          <input id="c-target" required value={target} onInput={(e) => setTarget(e.currentTarget.value)} />
        </div>
      </div>
      <ErrorBox error={action.error} />
      <div class="actions">
        <button type="submit" disabled={action.busy}>
          {c ? 'Save channel' : 'Create channel'}
        </button>
        {c && (
          <button type="button" class="secondary" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
