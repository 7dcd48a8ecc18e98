import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** What one path answers: a status, a body and its type, or a handler of its own (slow, streamed, redirecting). */
export type FakeAnswer =
  { status?: number; type?: string; body: string; headers?: Record<string, string> } | ((req: IncomingMessage, res: ServerResponse) => void);

export interface FakeSite {
  server: Server;
  /** http://127.0.0.1:<port> */
  base: string;
  /** every path asked for, in order (with query) */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A website on 127.0.0.1 for the site analyzer: `pages` maps a path to its answer, anything else is 404. The site is
 * built after the port is known, so pages can link to absolute URLs of the site (`build(base)`).
 */
export async function fakeSite(build: (base: string) => Record<string, FakeAnswer>): Promise<FakeSite> {
  const requests: string[] = [];
  let pages: Record<string, FakeAnswer> = {};
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const answer = pages[(req.url ?? '').split('?')[0]];
    if (!answer) {
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body><h1>Not found</h1><a href="/pricing">Pricing</a></body></html>');
      return;
    }
    if (typeof answer === 'function') return answer(req, res);
    res.writeHead(answer.status ?? 200, { 'Content-Type': answer.type ?? 'text/html; charset=utf-8', ...(answer.headers ?? {}) }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pages = build(base);
  return {
    server,
    base,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const xml = (body: string): FakeAnswer => ({ type: 'application/xml', body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}` });

export const urlset = (urls: string[]) =>
  xml(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.map((u) => `<url><loc>${u}</loc></url>`).join('\n')}</urlset>`);

export const sitemapIndex = (urls: string[]) =>
  xml(`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.map((u) => `<sitemap><loc>${u}</loc></sitemap>`).join('\n')}</sitemapindex>`);

/** An HTML page whose header holds the navigation links and whose main part holds the others. */
export const html = (nav: [string, string][], links: [string, string][] = [], filler = ''): FakeAnswer => ({
  body: `<!doctype html><html><head><title>t</title></head><body><header><nav>${nav
    .map(([href, text]) => `<a href="${href}">${text}</a>`)
    .join(' ')}</nav></header><main>${filler}${links.map(([href, text]) => `<a href="${href}">${text}</a>`).join(' ')}</main></body></html>`,
});
