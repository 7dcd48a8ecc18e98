import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  authorization: string | undefined;
  form: Record<string, string>;
}

export const BOT_TOKEN = 'xoxb-bot-token-of-the-test-9f8e7d';
export const CLIENT_SECRET = 'slack-client-secret-5a4b3c';

/**
 * A fake Slack Web API on 127.0.0.1 (`/api/<method>`, form bodies, Slack's `{ok, error}` answers) that records every
 * call. Channel C0NOTFOUND answers channel_not_found; C0RATELIM answers 429 ratelimited to its first post; only the
 * bot token of the test is accepted; the code `good-code` is exchanged for it.
 */
export async function fakeSlack(): Promise<{ server: Server; base: string; calls: SlackCall[]; of: (method: string) => SlackCall[] }> {
  const calls: SlackCall[] = [];
  let rateLimited = 0;
  const answer = (method: string, form: Record<string, string>, auth: string | undefined): [number, object] => {
    if (method === 'oauth.v2.access') {
      if (form.code !== 'good-code' || form.client_secret !== CLIENT_SECRET) return [200, { ok: false, error: 'invalid_code' }];
      return [
        200,
        {
          ok: true,
          access_token: BOT_TOKEN,
          token_type: 'bot',
          scope: 'chat:write,channels:read',
          bot_user_id: 'U0BOT0001',
          app_id: 'A0APP0001',
          team: { id: 'T0TEAM001', name: 'Acme Workspace' },
          authed_user: { id: 'U0ADMIN01' },
        },
      ];
    }
    if (auth !== `Bearer ${BOT_TOKEN}`) return [200, { ok: false, error: 'invalid_auth' }];
    switch (method) {
      case 'conversations.list':
        return [
          200,
          {
            ok: true,
            channels: [
              { id: 'C0SALES01', name: 'sales', is_private: false },
              { id: 'G0PRIV001', name: 'leadership', is_private: true },
            ],
            response_metadata: { next_cursor: form.cursor ? '' : 'dGVhbTpDMDYx' },
          },
        ];
      case 'users.list':
        return [
          200,
          form.cursor
            ? { ok: true, members: [{ id: 'U0LATE001', name: 'late', profile: { email: 'late@nowhere.example' } }], response_metadata: { next_cursor: '' } }
            : {
                ok: true,
                members: [
                  { id: 'U0ADMIN01', name: 'admin', profile: { email: 'ADMIN@first.example' } },
                  { id: 'U0BOTUSER', name: 'bot', is_bot: true, profile: { email: 'viewer@slack.example' } },
                  { id: 'U0GONE001', name: 'gone', deleted: true, profile: { email: 'viewer@slack.example' } },
                ],
                response_metadata: { next_cursor: 'cGFnZTI=' },
              },
        ];
      case 'conversations.open':
        return [200, { ok: true, channel: { id: `D0${form.users}` } }];
      case 'chat.postMessage':
        if (form.channel === 'C0NOTFOUND') return [200, { ok: false, error: 'channel_not_found' }];
        if (form.channel === 'C0RATELIM' && rateLimited++ === 0) return [429, { ok: false, error: 'ratelimited' }];
        return [200, { ok: true, channel: form.channel, ts: '1700000000.000100' }];
      default:
        return [200, { ok: false, error: 'unknown_method' }];
    }
  };
  const server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
      const form = Object.fromEntries(new URLSearchParams(data));
      calls.push({ method, authorization: req.headers.authorization, form });
      const [status, body] = answer(method, form, req.headers.authorization);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, base, calls, of: (method) => calls.filter((c) => c.method === method) };
}
