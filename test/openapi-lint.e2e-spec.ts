import { Document, ISpectralDiagnostic, Spectral } from '@stoplight/spectral-core';
import owasp from '@stoplight/spectral-owasp-ruleset';
import { Json } from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import type { OpenAPIObject } from '@nestjs/swagger';
import { generateOpenApi } from '../src/cli/generate-openapi';
import { inputSchemaNames, OPS_ADMIN_PREFIX, WEBHOOK_SIGNATURE_SCHEME } from '../src/platform/openapi/openapi-hardening';

type Path = ISpectralDiagnostic['path'];

interface Exception {
  rule: string;
  /** which findings of the rule it covers */
  applies: (path: Path, doc: OpenAPIObject) => boolean;
  why: string;
}

const isResponse = (path: Path) => path[0] === 'paths' && path.includes('responses');
const operationOf = (path: Path, doc: OpenAPIObject) =>
  path[0] === 'paths' ? (doc.paths[String(path[1])] as Record<string, { security?: unknown[] }>)?.[String(path[2])] : undefined;
const outputOnlySchema = (path: Path, doc: OpenAPIObject) => path[0] === 'components' && path[1] === 'schemas' && !inputSchemaNames(doc).has(String(path[2]));

/**
 * The findings of spectral:oas + the OWASP ruleset the API keeps on purpose. Each entry says why; an entry that
 * no longer matches anything fails the test too, so the list cannot go stale.
 */
const EXCEPTIONS: Exception[] = [
  {
    rule: 'owasp:api2:2023-no-http-basic',
    applies: (path) => ['components.securitySchemes.basicAuth.scheme', 'components.securitySchemes.opsAdminAuth.scheme'].includes(path.join('.')),
    why: 'HTTP Basic is part of the seed contract: service accounts (client_id:client_secret) and the operations admin. Only over TLS in production.',
  },
  {
    rule: 'owasp:api4:2023-string-limit',
    applies: (path, doc) => isResponse(path) || outputOnlySchema(path, doc),
    why: 'Response strings: the limits guard what the server accepts; responses echo input already bounded by the enforced limits (or server-made values) and are not re-validated, so a response maxLength would be a promise nothing checks.',
  },
  {
    rule: 'owasp:api4:2023-array-limit',
    applies: (path, doc) => isResponse(path) || outputOnlySchema(path, doc),
    why: 'Response arrays: lists are bounded by paging (limit ≤ 500) and by the input limits of what they list; not re-validated on output.',
  },
  {
    rule: 'owasp:api4:2023-rate-limit',
    applies: (path, doc) =>
      String(path[1]).startsWith(OPS_ADMIN_PREFIX) ||
      (operationOf(path, doc)?.security ?? []).every((req) => Object.keys(req as object).every((name) => name === WEBHOOK_SIGNATURE_SCHEME)),
    why: 'The rate limit is per organization credential (AccessGuard): public operations (health probes, login, cookie cleanup, shared score links, metrics, root), the operations-admin routes and receivers a provider calls with a signed payload (the billing webhook) carry no organization credential and send no rate-limit headers.',
  },
  {
    rule: 'owasp:api5:2023-admin-security-unique',
    applies: (path) => path[1] === '/admin/seed',
    why: 'POST/DELETE /admin/seed (catalog n=164–165) seed and erase sample data of the caller’s active OU: an OU Owner’s operation under an /admin path, so it takes the same bearer credential as every OU route, not the operations-admin one.',
  },
  {
    rule: 'owasp:api2:2023-write-restricted',
    applies: (path) => ['/auth/login', '/auth/cleanup'].includes(String(path[1])),
    why: 'POST /auth/login is how a credential is obtained; POST /auth/cleanup only expires cookies of earlier sign-ins. Both must work without a credential.',
  },
  {
    rule: 'owasp:api2:2023-no-credentials-in-url',
    applies: (path) => path[1] === '/public/score-explain/{token}',
    why: 'A shared score explanation is a capability link by design (seed: no auth; 404 unknown token, 410 expired): the token is random, read-only, scoped to one lead and expires.',
  },
  {
    rule: 'owasp:api8:2023-define-cors-origin',
    applies: (path) => path.includes('properties') && path[path.length - 1] === 'headers',
    why: 'False positive: ImportPreviewDto has a property named `headers` (the CSV header row), not a response-headers object.',
  },
];

describe('OpenAPI document under Spectral (spectral:oas + OWASP API Security)', () => {
  let doc: OpenAPIObject;
  let errors: ISpectralDiagnostic[];

  beforeAll(async () => {
    const json = await generateOpenApi();
    doc = JSON.parse(json);
    const spectral = new Spectral();
    spectral.setRuleset({
      extends: [
        [oas as never, 'recommended'],
        [owasp as never, 'recommended'],
      ],
    } as never);
    errors = (await spectral.run(new Document(json, Json))).filter((r) => r.severity === 0);
  });

  it('has no error outside the justified exception list', () => {
    const unexplained = errors
      .filter((e) => !EXCEPTIONS.some((x) => x.rule === e.code && x.applies(e.path, doc)))
      .map((e) => `${e.code} at ${e.path.join('.')}: ${e.message}`);
    expect(unexplained).toEqual([]);
  });

  it('keeps no stale exception', () => {
    const unused = EXCEPTIONS.filter((x) => !errors.some((e) => e.code === x.rule && x.applies(e.path, doc))).map((x) => x.rule);
    expect(unused).toEqual([]);
  });
});
