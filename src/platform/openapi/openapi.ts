import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { registeredErrorCodes } from '../http/error-catalog';
import '../http/platform.errors';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { documentValidationLimits } from './document-validation-limits';
import { hardenDocument } from './openapi-hardening';

/** The repository root (holds package.json), from src/ or from dist/src/. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const OPENAPI_FILE = join(projectRoot(), 'openapi.json');

function packageVersion(): string {
  return JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).version;
}

/** operationId = the handler's name, unless the route sets one with @ApiOperation({operationId}). */
const operationIdFactory = (controllerKey: string, methodKey: string) =>
  `${controllerKey.replace(/Controller$/, '').replace(/^./, (c) => c.toLowerCase())}_${methodKey}`;

/** Builds the OpenAPI document from the running app's routes and DTOs. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('kenbun API')
    .setDescription(
      "Behavioural events in, explained lead scores out. Every OU-scoped operation acts in the caller's active " +
        'organizational unit (set once with POST /org-units/active). Errors are JSON `{error, message, details?}`.',
    )
    .setVersion(packageVersion())
    .setContact('kenbun support', 'https://kenbun.io', 'support@kenbun.io')
    .setLicense('Proprietary', 'https://kenbun.io/terms')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT or kbn_pat_…',
        description: 'User JWT from POST /auth/login, or a personal access token (kbn_pat_…)',
      },
      'bearerAuth',
    )
    .addBasicAuth({ type: 'http', scheme: 'basic', description: 'Service account: client_id as user name, client_secret as password' }, 'basicAuth')
    .addTag('Root', 'Service status and metrics')
    .addTag('Health', 'Liveness and readiness probes')
    .addTag('Operations', 'Queue and projection administration (operations-admin credential)')
    .build();
  documentValidationLimits();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory });
  return sortDocument(documentErrorCodes(hardenDocument(document)));
}

/**
 * The error schema lists every code the API answers: the codes each module declares in its catalog (defineErrors)
 * and the platform's, with the status each always comes with.
 */
function documentErrorCodes(doc: OpenAPIObject): OpenAPIObject {
  type Schema = { properties?: Record<string, Schema>; enum?: string[]; description?: string };
  const error = (doc.components?.schemas?.ErrorResponseDto as Schema | undefined)?.properties?.error;
  if (!error) return doc;
  const codes = registeredErrorCodes();
  error.enum = codes.map((c) => c.code);
  error.description = `Machine-readable snake_case code. Each code comes with one status: ${codes.map((c) => `${c.code} (${c.status})`).join(', ')}.`;
  return doc;
}

/** Stable key order, so the checked-in document only changes when the API does. */
function sortDocument(doc: OpenAPIObject): OpenAPIObject {
  const sortKeys = <T extends Record<string, unknown>>(o: T | undefined): T | undefined =>
    o && (Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))) as T);
  doc.paths = sortKeys(doc.paths)!;
  if (doc.components?.schemas) doc.components.schemas = sortKeys(doc.components.schemas);
  return doc;
}

/**
 * /docs and /docs-json. The document is built by the first request for it, then kept: building it takes the better
 * part of a second (every route and DTO of the app), which every process start paid before, and most processes
 * (workers, api replicas behind a balancer, test apps) are never asked for it.
 */
export function serveOpenApi(app: INestApplication, document: () => OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'kenbun API reference',
    swaggerOptions: { persistAuthorization: true },
  });
}
