import { apiPropertyOptions, constraintOf, propertyRules, validatedClasses } from '../http/dto-constraints';

const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';

// class-validator constraint → the OpenAPI keyword that documents it
const KEYWORDS: [constraint: string, keyword: string, pick?: (c: unknown[]) => unknown][] = [
  ['maxLength', 'maxLength'],
  ['minLength', 'minLength'],
  ['length', 'minLength', (c) => c[0]],
  ['length', 'maxLength', (c) => c[1]],
  ['arrayMaxSize', 'maxItems'],
  ['arrayMinSize', 'minItems'],
  ['max', 'maximum'],
  ['min', 'minimum'],
];

/**
 * Copies the limits class-validator enforces (@MaxLength, @ArrayMaxSize, @Max, …) into the @ApiProperty
 * metadata of every documented DTO property, so the document states the limits the validator applies — the
 * runtime equivalent of the swagger CLI plugin's class-validator shim. Properties documented by hand keep their
 * other options; a limit the validator enforces replaces a different documented one. `each` constraints apply to
 * an array's items and are documented there.
 */
export function documentValidationLimits(): void {
  for (const target of validatedClasses()) {
    for (const rules of propertyRules(target)) {
      const options = apiPropertyOptions(target, rules.property);
      if (!options) continue;
      const limits: Record<string, unknown> = {};
      const itemLimits: Record<string, unknown> = {};
      for (const [constraint, keyword, pick] of KEYWORDS) {
        const meta = rules.metas.find((m) => m.name === constraint);
        if (!meta) continue;
        const value = pick ? pick(meta.constraints ?? []) : constraintOf(rules, constraint);
        if (typeof value !== 'number') continue;
        (meta.each ? itemLimits : limits)[keyword] = value;
      }
      if (!Object.keys(limits).length && !Object.keys(itemLimits).length) continue;
      const merged: Record<string, unknown> = { ...options, ...limits };
      if (Object.keys(itemLimits).length) merged['x-item-limits'] = itemLimits;
      Reflect.defineMetadata(API_MODEL_PROPERTIES, merged, (target as unknown as { prototype: object }).prototype, rules.property);
    }
  }
}
