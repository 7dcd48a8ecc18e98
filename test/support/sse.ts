import http from 'node:http';
import { TestApp } from './test-app';
import { Auth } from './tenants';

export interface StreamClient {
  /** everything received so far */
  text(): string;
  close(): void;
  status: number;
}

/** Makes the app listen on a free port (an SSE client needs a real socket, not supertest's). */
export async function listenOnFreePort(t: TestApp): Promise<void> {
  await new Promise<void>((resolve) => (t.http.listening ? resolve() : t.http.listen(0, resolve)));
}

/** An SSE client of GET /stream collecting the raw stream. */
export function listenToStream(t: TestApp, auth: Auth, query = ''): Promise<StreamClient> {
  const { port } = (t.http.address() as { port: number }) ?? {};
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/stream${query}`, headers: { [auth.header]: auth.value } }, (res) => {
      let buf = '';
      const client = { text: () => buf, close: () => req.destroy(), status: res.statusCode ?? 0 };
      res.setEncoding('utf8');
      // a stream is ready once the server says "connected" (the OU's channel is subscribed); an error answers at once
      res.on('data', (d) => {
        buf += d;
        if (buf.includes(': connected to ')) resolve(client);
      });
      res.on('end', () => resolve(client));
      if (res.statusCode !== 200) resolve(client);
    });
    req.on('error', reject);
  });
}
