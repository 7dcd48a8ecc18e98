import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { ErrorDetail } from './app-error';
import { dtoLimitProblems } from './dto-limits';
import { nulProblems, validationFailed } from './edge-input';
import { MAX_NUMBER, MAX_STRING_LENGTH } from './input-limits';

/** Flattens class-validator errors to `{field: "a.b[0].c", reason}` items. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const e of errors) {
    const field = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    for (const reason of Object.values(e.constraints ?? {})) out.push({ field, reason: stripField(reason, e.property) });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

// class-validator messages start with the property name ("name must be a string"): keep only the reason.
function stripField(message: string, property: string): string {
  return message.startsWith(property + ' ') ? message.slice(property.length + 1) : message;
}

const SCALARS: unknown[] = [String, Number, Boolean];

/**
 * The global validation pipe: class-validator (unknown fields rejected, types converted), then what it lets
 * through but the document forbids (see dtoLimitProblems), and for single path/query parameters NUL characters,
 * repeated values and over-long strings. Every failure is a 400 `validation_failed` naming each field.
 */
export class EdgeValidationPipe extends ValidationPipe {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param' || metadata.type === 'query') {
      const details = nulProblems(value, metadata.data ?? '');
      if (metadata.data && SCALARS.includes(metadata.metatype)) {
        if (Array.isArray(value)) details.push({ field: metadata.data, reason: 'must be given once' });
        else if (typeof value === 'string' && value.length > MAX_STRING_LENGTH)
          details.push({ field: metadata.data, reason: `must be shorter than or equal to ${MAX_STRING_LENGTH} characters` });
      }
      if (details.length) throw validationFailed(details);
    }
    const out = await super.transform(value, metadata);
    if (metadata.data && typeof out === 'number' && (!Number.isFinite(out) || Math.abs(out) > MAX_NUMBER)) {
      throw validationFailed([
        { field: metadata.data, reason: Number.isFinite(out) ? `must be between ${-MAX_NUMBER} and ${MAX_NUMBER}` : 'must be a finite number' },
      ]);
    }
    if (metadata.metatype && metadata.type !== 'custom' && !SCALARS.includes(metadata.metatype) && out && typeof out === 'object') {
      const details = dtoLimitProblems(out, metadata.metatype as never);
      if (details.length) throw validationFailed(details);
    }
    return out;
  }
}

/** Global validation: unknown fields rejected, types converted, 400 naming each field and reason. */
export function createValidationPipe(): ValidationPipe {
  return new EdgeValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
}
