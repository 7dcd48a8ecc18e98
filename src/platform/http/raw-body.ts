import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

const KEEP_RAW_BODY = 'kenbun:keepRawBody';
const RAW_BODY = Symbol('kenbun.rawBody');

/**
 * The route keeps its JSON body's exact bytes (for signed payloads, e.g. the billing webhook): the JSON parser sets
 * them aside for `rawBodyOf` besides parsing them. Other routes keep nothing.
 */
export const KeepRawBody = () => RouteConfig({ [KEEP_RAW_BODY]: true });

/** Called by the JSON body parser: remembers the bytes when the matched route asked for them. */
export function keepRawBodyIfAsked(req: FastifyRequest, body: Buffer): void {
  const config = req.routeOptions?.config as unknown as Record<string, unknown> | undefined;
  if (config?.[KEEP_RAW_BODY]) (req as FastifyRequest & { [RAW_BODY]?: Buffer })[RAW_BODY] = body;
}

/** The exact request body of a `@KeepRawBody()` route (an empty buffer when the request had none). */
export function rawBodyOf(req: FastifyRequest): Buffer {
  return (req as FastifyRequest & { [RAW_BODY]?: Buffer })[RAW_BODY] ?? Buffer.alloc(0);
}
