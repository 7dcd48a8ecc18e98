import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where the back-office is served. */
export const WEB_APP_PATH = '/app';

/**
 * The built back-office (`npm run build` runs vite after nest into dist/web-app): from dist/src/platform/http when
 * running the build, from src/platform/http under ts-jest. Null when it has not been built.
 */
export function webAppRoot(): string | null {
  const up = resolve(__dirname, '..', '..', '..');
  for (const dir of [join(up, 'web-app'), join(up, 'dist', 'web-app')]) if (existsSync(join(dir, 'index.html'))) return dir;
  return null;
}

/**
 * Serves the back-office at /app: hashed assets (immutable, gzip-precompressed when the client accepts it) and
 * index.html for /app and every client route under it. A path that looks like a file but is none answers 404, so a
 * stale script URL never gets HTML. The app is a client of the public API like any other: no route of its own.
 */
export async function serveWebApp(fastify: FastifyInstance, root = webAppRoot()): Promise<void> {
  if (!root) {
    const missing = (_req: unknown, reply: FastifyReply) =>
      reply.code(404).send({ error: 'not_found', message: 'the back-office is not built: run `npm run build`' });
    fastify.get(WEB_APP_PATH, missing);
    fastify.get(`${WEB_APP_PATH}/*`, missing);
    return;
  }
  const index = readFileSync(join(root, 'index.html'));
  await fastify.register(fastifyStatic, {
    root,
    prefix: `${WEB_APP_PATH}/`,
    wildcard: false,
    index: false,
    decorateReply: false,
    preCompressed: true,
    setHeaders: (reply, path) => {
      reply.header('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const sendIndex = (req: { url: string }, reply: FastifyReply) => {
    if (/\/[^/]+\.[a-z0-9]+$/i.test(req.url.split('?')[0])) {
      return reply.code(404).send({ error: 'not_found', message: `no file ${req.url.split('?')[0]} in the back-office` });
    }
    return reply.header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(index);
  };
  fastify.get(WEB_APP_PATH, sendIndex);
  fastify.get(`${WEB_APP_PATH}/*`, sendIndex);
}
