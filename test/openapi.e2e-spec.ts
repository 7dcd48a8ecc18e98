import { Document, Spectral } from '@stoplight/spectral-core';
import { Json } from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import { readFileSync } from 'node:fs';
import { generateOpenApi } from '../src/cli/generate-openapi';
import { OPENAPI_FILE } from '../src/platform/openapi/openapi';

/** The OpenAPI document is a checked-in contract: SDKs are generated from openapi.json. */
describe('OpenAPI document', () => {
  let generated: string;

  beforeAll(async () => {
    generated = await generateOpenApi();
  });

  it('matches the checked-in openapi.json (run `npm run openapi` after changing the API)', () => {
    const checkedIn = readFileSync(OPENAPI_FILE, 'utf8');
    expect(JSON.parse(generated)).toEqual(JSON.parse(checkedIn));
  });

  it('gives every operation an operationId, a summary, a tag and a response schema', () => {
    const doc = JSON.parse(generated);
    const ids = new Set<string>();
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect([where, typeof op.operationId]).toEqual([where, 'string']);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect([where, Boolean(op.summary)]).toEqual([where, true]);
        expect([where, op.tags?.length > 0]).toEqual([where, true]);
        // a success body, or a browser redirect that documents where it goes (Slack install and OAuth callback)
        const ok = Object.entries<any>(op.responses).find(([code, r]) => code.startsWith('2') || (code.startsWith('3') && r.headers?.Location));
        expect([where, Boolean(ok)]).toEqual([where, true]);
      }
    }
  });

  it('lists every declared error code, platform and modules alike, in the error schema', () => {
    const error = JSON.parse(generated).components.schemas.ErrorResponseDto.properties.error;
    for (const code of [
      'validation_failed',
      'no_active_ou',
      'rate_limited',
      'lead_not_found',
      'duplicate_rule',
      'filter_not_found',
      'email_taken',
      'too_many_events',
    ]) {
      expect(error.enum).toContain(code);
    }
    expect(error.description).toContain('lead_not_found (404)');
  });

  it("passes Spectral's spectral:oas ruleset without errors", async () => {
    const spectral = new Spectral();
    spectral.setRuleset({ extends: [[oas as never, 'recommended']] } as never);
    const results = await spectral.run(new Document(generated, Json));
    const errors = results.filter((r) => r.severity === 0).map((r) => `${r.code} at ${r.path.join('.')}: ${r.message}`);
    expect(errors).toEqual([]);
  });
});
