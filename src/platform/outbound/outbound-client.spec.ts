import { createServer, Server } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { AppConfig } from '../../config/app-config';
import { OutboundClient } from './outbound-client';

const client = (allow: string) =>
  new OutboundClient({ env: { OUTBOUND_ALLOW_HOSTS: allow, OUTBOUND_CONNECT_TIMEOUT_MS: 1000, OUTBOUND_TIMEOUT_MS: 2000 } } as unknown as AppConfig);

describe('OutboundClient destination rules', () => {
  it('accepts https to public hosts and http only for allow-listed ones', () => {
    const c = client('127.0.0.1, hooks.internal');
    expect(c.refusalOf('https://hooks.example.com/x')).toBeNull();
    expect(c.refusalOf('http://hooks.example.com/x')).toBe('http:// is accepted only for allow-listed hosts; use https://');
    expect(c.refusalOf('http://127.0.0.1:8080/x')).toBeNull();
    expect(c.refusalOf('http://hooks.internal/x')).toBeNull();
    c.onModuleDestroy();
  });

  it('refuses private, loopback, metadata and local names, schemes and credentials before any lookup', () => {
    const c = client('');
    expect(c.refusalOf('https://10.0.0.1/x')).toBe('10.0.0.1 is a private (RFC 1918) address');
    expect(c.refusalOf('https://[::1]/x')).toBe('::1 is a loopback address');
    expect(c.refusalOf('https://[::ffff:169.254.169.254]/x')).toContain('link-local');
    expect(c.refusalOf('https://127.0.0.1/x')).toBe('127.0.0.1 is a loopback address');
    expect(c.refusalOf('https://localhost/x')).toBe('localhost is a local host name');
    expect(c.refusalOf('https://metadata.google.internal/x')).toBe('metadata.google.internal is a local host name');
    expect(c.refusalOf('ftp://hooks.example.com/x')).toBe('scheme ftp: is not allowed');
    expect(c.refusalOf('https://user:pw@hooks.example.com/x')).toBe('credentials in the URL are not allowed');
    expect(c.refusalOf('not a url')).toBe('not a valid URL');
    c.onModuleDestroy();
  });

  it('answers 400 destination_not_allowed naming the field', async () => {
    const c = client('');
    await expect(c.assertAllowed('https://192.168.1.1/hook', 'webhook_url')).rejects.toMatchObject({
      status: 400,
      code: 'destination_not_allowed',
      details: [{ field: 'webhook_url', reason: '192.168.1.1 is a private (RFC 1918) address' }],
    });
    c.onModuleDestroy();
  });

  it('refuses at send time without connecting', async () => {
    const c = client('');
    await expect(c.send({ url: 'https://10.0.0.1/hook', body: '{}' })).rejects.toMatchObject({ name: 'DestinationRefusedError' });
    c.onModuleDestroy();
  });

  describe('kept-alive connections', () => {
    let server: Server;
    let base: string;
    const seen: string[] = [];
    beforeAll(async () => {
      // answers the first request of every connection and drops the connection at its second: what a server closing
      // an idle kept-alive connection while the client reuses it looks like
      const perSocket = new WeakMap<Socket, number>();
      server = createServer((req, res) => {
        const n = (perSocket.get(req.socket) ?? 0) + 1;
        perSocket.set(req.socket, n);
        seen.push(`${req.url} #${n}`);
        if (n > 1 || req.url === '/drop') return req.socket.destroy();
        req.resume();
        req.on('end', () => res.end('ok'));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((r) => server.close(r)));

    it('sends again once on a new connection when a reused one turns out closed, and not when a fresh one fails', async () => {
      const c = client('127.0.0.1');
      expect(await c.send({ url: `${base}/a`, body: '{}' })).toMatchObject({ status: 200 });
      expect(await c.send({ url: `${base}/b`, body: '{}' })).toMatchObject({ status: 200 });
      expect(seen).toEqual(['/a #1', '/b #2', '/b #1']);
      c.onModuleDestroy();
      const fresh = client('127.0.0.1');
      await expect(fresh.send({ url: `${base}/drop`, body: '{}' })).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(seen.filter((s) => s.startsWith('/drop'))).toEqual(['/drop #1']);
      fresh.onModuleDestroy();
    });
  });

  describe('answers', () => {
    let server: Server;
    let base: string;
    let bigDone = false;
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/slow') return void setTimeout(() => res.end('late'), 1500).unref();
        if (req.url === '/big') {
          // 10 MiB in 64 KiB writes, unless the client hangs up first
          res.writeHead(200, { 'Content-Type': 'text/html' });
          let left = 160;
          const write = () => {
            while (left > 0) {
              left--;
              if (!res.write(Buffer.alloc(64 * 1024, 'a'))) return res.once('drain', write);
            }
            bigDone = true;
            res.end();
          };
          return write();
        }
        res.writeHead(429, { 'Retry-After': '7', 'Content-Type': 'application/json' });
        res.end('{"status":"error"}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    });

    it('gives the headers, a per-call time limit and, with stopAtLimit, hangs up once the body passes its budget', async () => {
      const c = client('127.0.0.1');
      const limited = await c.send({ url: `${base}/x`, method: 'GET' });
      expect(limited).toMatchObject({ status: 429, body: '{"status":"error"}', truncated: false });
      expect(limited.headers['retry-after']).toBe('7');
      await expect(c.send({ url: `${base}/slow`, method: 'GET', timeoutMs: 200 })).rejects.toThrow('timeout after 0.2s');
      const big = await c.send({ url: `${base}/big`, method: 'GET', maxBodyBytes: 100_000, stopAtLimit: true });
      expect(big).toMatchObject({ status: 200, truncated: true });
      expect(big.body.length).toBe(100_000);
      expect(bigDone).toBe(false);
      c.onModuleDestroy();
    });
  });
});
