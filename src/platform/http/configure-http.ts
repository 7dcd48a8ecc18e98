import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { AppConfig } from '../../config/app-config';
import { buildOpenApiDocument, serveOpenApi } from '../openapi/openapi';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { rejectUnsafeInput } from './edge-input';
import { createValidationPipe } from './validation';

/**
 * HTTP conventions shared by main.ts and the e2e tests: JSON body limits, helmet, CORS, global
 * validation, the one error shape, and the OpenAPI document at /docs and /docs-json.
 */
export function configureHttp(app: INestApplication, config: AppConfig): void {
  const express = app as NestExpressApplication;
  if (config.env.TRUST_PROXY) express.set('trust proxy', true);
  express.disable('x-powered-by');
  express.useBodyParser('json', { limit: config.env.HTTP_BODY_LIMIT });
  express.useBodyParser('urlencoded', { limit: config.env.HTTP_BODY_LIMIT, extended: false });
  // flat query strings: `a[x]=1` is the key "a[x]", never a nested object a validator does not expect
  express.set('query parser', 'simple');
  app.use(rejectUnsafeInput);
  app.use(cookieParser());
  // Swagger UI and Bull Board ship inline scripts; every other route gets helmet's strict defaults.
  const strict = helmet();
  const relaxed = helmet({ contentSecurityPolicy: false });
  app.use((req: { path: string }, res: unknown, next: () => void) =>
    (req.path.startsWith('/docs') || req.path.startsWith('/admin/queues') ? relaxed : strict)(req as never, res as never, next),
  );
  const origins = config.corsOrigins;
  if (origins)
    app.enableCors({
      origin: origins,
      credentials: true,
      exposedHeaders: ['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After'],
    });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  serveOpenApi(app, buildOpenApiDocument(app));
}
