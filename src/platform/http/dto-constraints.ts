// @nestjs/swagger keeps @ApiProperty options under this reflect-metadata key (DECORATORS.API_MODEL_PROPERTIES)
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type Ctor = abstract new (...args: never[]) => unknown;

/** What class-validator knows of one DTO property, as the edge checks and the OpenAPI shim need it. */
export interface PropertyRules {
  property: string;
  optional: boolean;
  nested: boolean;
  /** class-validator constraint names on the property (maxLength, isIn, arrayMaxSize, max, …) */
  names: Set<string>;
  metas: ValidationMetadata[];
}

const cache = new Map<Ctor, PropertyRules[]>();

/** The validated properties of a DTO class, its parents' included. */
export function propertyRules(target: Ctor): PropertyRules[] {
  const hit = cache.get(target);
  if (hit) return hit;
  const metas = getMetadataStorage().getTargetValidationMetadatas(target as never, '', true, false);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of metas) byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  const rules = [...byProperty].map(([property, ms]) => ({
    property,
    optional: ms.some((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION),
    nested: ms.some((m) => m.type === ValidationTypes.NESTED_VALIDATION),
    names: new Set(ms.map((m) => m.name ?? m.type)),
    metas: ms,
  }));
  cache.set(target, rules);
  return rules;
}

/** The OpenAPI metadata (@ApiProperty options) of a DTO property, when it has any. */
export function apiPropertyOptions(target: Ctor, property: string): Record<string, unknown> | undefined {
  return Reflect.getMetadata(API_MODEL_PROPERTIES, (target as { prototype: object }).prototype, property);
}

/** Every class class-validator holds metadata for (the DTOs of the app). */
export function validatedClasses(): Ctor[] {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Ctor, unknown> };
  return [...storage.validationMetadatas.keys()].filter((c) => typeof c === 'function');
}

/** The first constraint argument of the named validator on a property (e.g. 100 for @MaxLength(100)). */
export function constraintOf(rules: PropertyRules, name: string): unknown {
  return rules.metas.find((m) => m.name === name)?.constraints?.[0];
}
