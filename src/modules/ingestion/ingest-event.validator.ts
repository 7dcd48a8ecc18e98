import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { dtoJsonSchema, ErrorDetail, flattenValidationErrors, JsonSchema } from '../../platform/http';
import { IngestEventDto } from './http/ingest.dto';

/** An event that passed validation: the submitted JSON object itself (optional fields may be null). */
export type ValidIngestEvent = IngestEventDto;

const CLASS_VALIDATOR_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } };

/** The JSON Schema of one submitted event: read from IngestEventDto's decorators, the source of its OpenAPI schema. */
export function ingestEventSchema(): JsonSchema {
  return dtoJsonSchema(IngestEventDto);
}

/**
 * Validates submitted events with Ajv, compiled once from the IngestEventDto decorators (see dtoJsonSchema): a
 * valid event costs a few µs instead of class-transformer + class-validator's hundreds. A rejected event is worded
 * as before: the class-validator DTO names each field and reason (the rare path, so its cost does not matter and
 * the messages stay exactly those clients know). Where the compiled schema is stricter than class-validator
 * (class-transformer drops `constructor` and `__proto__` keys, and @ValidateNested accepts arrays of arrays), Ajv's
 * own errors name the field.
 */
export class IngestEventValidator {
  private readonly validate: ValidateFunction<ValidIngestEvent>;

  constructor() {
    this.validate = new Ajv({ allErrors: true, strict: true }).compile<ValidIngestEvent>(ingestEventSchema());
  }

  /** Whether the event is valid (the compiled schema alone). */
  accepts(raw: unknown): raw is ValidIngestEvent {
    return this.validate(raw);
  }

  /** The problems of one event, fields relative to it (`aliases[0].raw_value`); none when it is valid. */
  problems(raw: unknown): ErrorDetail[] {
    if (this.validate(raw)) return [];
    const errors = this.validate.errors ?? [];
    return classValidatorProblems(raw) ?? ajvProblems(errors);
  }
}

/** The class-validator DTO's wording of an event's problems; undefined when it finds none (or cannot read the event). */
export function classValidatorProblems(raw: unknown): ErrorDetail[] | undefined {
  try {
    const details = flattenValidationErrors(validateSync(plainToInstance(IngestEventDto, raw) as object, CLASS_VALIDATOR_OPTIONS));
    return details.length ? details : undefined;
  } catch {
    return undefined; // class-transformer throws on some keys (metadata.constructor)
  }
}

/** Ajv errors as `{field, reason}`, class-validator style for unknown properties. */
function ajvProblems(errors: ErrorObject[]): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // an optional field is `null` or its schema (anyOf): the null branch's failure and the anyOf summary say nothing
    if (e.keyword === 'anyOf' || /\/anyOf\/0\/type$/.test(e.schemaPath)) continue;
    let field = fieldOf(e.instancePath);
    let reason = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      const property = String(e.params.additionalProperty);
      field = field ? `${field}.${property}` : property;
      reason = `property ${property} should not exist`;
    } else if (e.keyword === 'required') {
      const property = String(e.params.missingProperty);
      field = field ? `${field}.${property}` : property;
      reason = 'is required';
    }
    const key = `${field}\u0000${reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, reason });
  }
  return out.length ? out : [{ field: '', reason: 'is invalid' }];
}

/** `/aliases/0/raw_value` → `aliases[0].raw_value` */
function fieldOf(pointer: string): string {
  let field = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    field += /^\d+$/.test(segment) ? `[${segment}]` : field ? `.${segment}` : segment;
  }
  return field;
}
