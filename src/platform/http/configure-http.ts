import fastifyCookie from '@fastify/cookie';
import middie from '@fastify/middie';
import { INestApplication } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppConfig } from '../../config/app-config';
import { buildOpenApiDocument, serveOpenApi } from '../openapi/openapi';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { rejectUnsafeInput } from './edge-input';
import { parseByteSize } from './http-adapter';
import { parseJsonBody } from './json-body';
import { createValidationPipe } from './validation';
import { serveWebApp } from './web-app';

type RawMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * HTTP conventions shared by main.ts and the e2e tests (the app is made with createHttpAdapter): JSON body limits,
 * helmet, CORS, global validation, the one error shape, the OpenAPI document at /docs and /docs-json, and the
 * back-office at /app.
 * Call before `app.init()`.
 */
export async function configureHttp(app: INestApplication, config: AppConfig): Promise<void> {
  const http = app as NestFastifyApplication;
  const fastify = http.getHttpAdapter().getInstance();
  const bodyLimit = parseByteSize(config.env.HTTP_BODY_LIMIT);
  // Nest middleware (request ids and logs, audit) runs once the body is parsed, as it did on Express: the async
  // context it opens then lasts through guards and handlers (reading a body would leave it behind).
  await fastify.register(middie, { hook: 'preValidation' });
  http.useBodyParser('application/json', { bodyLimit }, parseJsonBody);
  // Bodies of other types (multipart uploads included) are left unread for the handler, as on Express, where they
  // reached validation as an empty body instead of a 415.
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('*', (_req, _payload, done) => done(null));
  fastify.addHook('preValidation', rejectUnsafeInput);
  await fastify.register(fastifyCookie);
  // Swagger UI and Bull Board ship inline scripts; every other route gets helmet's strict defaults.
  const strict = helmet() as RawMiddleware;
  const relaxed = helmet({ contentSecurityPolicy: false }) as RawMiddleware;
  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    // on the Node response, so that every answer carries it, errors and streams included
    reply.raw.setHeader('X-Request-Id', req.id);
    const url = req.raw.url ?? '';
    (url.startsWith('/docs') || url.startsWith('/admin/queues') ? relaxed : strict)(req.raw, reply.raw, (err) => done(err as Error | undefined));
  });
  const origins = config.corsOrigins;
  if (origins)
    http.enableCors({
      origin: origins,
      credentials: true,
      // the default of Express's cors (@fastify/cors allows GET, HEAD and POST only)
      methods: 'GET,HEAD,PUT,PATCH,POST,DELETE',
      exposedHeaders: ['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After'],
    });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter(bodyLimit));
  serveOpenApi(app, () => buildOpenApiDocument(app));
  // the back-office (/app): static files under helmet's strict CSP (scripts and styles of its own origin only)
  await serveWebApp(fastify);
}
