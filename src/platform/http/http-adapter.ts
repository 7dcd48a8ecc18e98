import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppConfig } from '../../config/app-config';
import { requestIdFor } from '../logging/request-id';

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `10mb`, `64kb`, `512` (bytes): the sizes HTTP_BODY_LIMIT takes, 1024-based like Express's body-parser read them. */
export function parseByteSize(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
  if (!m) throw new Error(`not a byte size: ${JSON.stringify(value)} (use e.g. 512kb or 10mb)`);
  return Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]);
}

/**
 * The one Fastify adapter of the api (main.ts and the e2e tests): request body limit from HTTP_BODY_LIMIT, the
 * client address from X-Forwarded-For only behind a trusted proxy (TRUST_PROXY), flat query strings (`a[x]=1` is
 * the key "a[x]", never a nested object a validator does not expect: Fastify's default parser).
 */
export function createHttpAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: parseByteSize(config.env.HTTP_BODY_LIMIT),
    trustProxy: config.env.TRUST_PROXY,
    // request ids and request logs are the logging module's (pino-http): Fastify's own logger stays off
    logger: false,
    // the request id of logs, audit entries and the X-Request-Id answer (set by configureHttp)
    genReqId: requestIdFor,
    // configureHttp registers middie itself, to run Nest middleware after the body is parsed
    skipMiddie: true,
    // routing as on Express: `/leads/` is `/leads`, and a long path parameter reaches validation instead of a 414
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 8192 },
  });
}
