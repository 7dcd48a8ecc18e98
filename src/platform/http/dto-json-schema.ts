import { apiPropertyOptions, propertyRules } from './dto-constraints';
import { MAX_ARRAY_ITEMS, MAX_STRING_LENGTH } from './input-limits';

type Ctor = abstract new (...args: never[]) => unknown;
export type JsonSchema = Record<string, unknown>;

/** class-validator constraint → the JSON Schema that accepts exactly the values it accepts (JSON values only). */
const CONSTRAINTS: Record<string, (c: unknown[]) => JsonSchema> = {
  isString: () => ({ type: 'string' }),
  isNotEmpty: () => ({ not: { enum: ['', null] } }),
  maxLength: ([n]) => ({ type: 'string', maxLength: n }),
  minLength: ([n]) => ({ type: 'string', minLength: n }),
  matches: ([re, modifiers]) => {
    if (!(re instanceof RegExp) || re.flags || modifiers) throw new Error(`@Matches(${String(re)}): only flag-less RegExp literals have a JSON Schema form`);
    return { type: 'string', pattern: re.source };
  },
  isIn: ([values]) => ({ enum: values }),
  isArray: () => ({ type: 'array' }),
  arrayMaxSize: ([n]) => ({ type: 'array', maxItems: n }),
  arrayMinSize: ([n]) => ({ type: 'array', minItems: n }),
  isObject: () => ({ type: 'object' }),
};

/**
 * The JSON Schema of a DTO class, read from the same decorators the OpenAPI document and class-validator read:
 * the class-validator constraints of each property (@IsString, @MaxLength, @IsIn, @Matches, …), optional ones
 * (@IsOptional: absent or null skips the checks), nested DTOs (@ValidateNested, typed by the @ApiProperty `type`)
 * and no unknown properties (whitelist + forbidNonWhitelisted). A string or array without a bound of its own gets
 * the global edge limits (MAX_STRING_LENGTH, MAX_ARRAY_ITEMS), as in the document. For a compiled validator (Ajv) that answers as the
 * class-validator DTO does; a constraint without a JSON Schema form here is refused, so a new decorator cannot be
 * skipped silently.
 */
export function dtoJsonSchema(target: Ctor): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const rules of propertyRules(target)) {
    const parts: JsonSchema[] = [];
    let optional = false;
    for (const m of rules.metas) {
      const where = `${target.name}.${rules.property}`;
      if (m.groups?.length || m.always) throw new Error(`${where}: validation groups have no JSON Schema form`);
      if (m.type === 'conditionalValidation') {
        if (m.name !== 'isOptional') throw new Error(`${where}: only @IsOptional among conditional validations has a JSON Schema form`);
        optional = true;
      } else if (m.type === 'nestedValidation') {
        // @ApiProperty({type: [Dto]}) is kept as {type: Dto, isArray: true}
        const { type, isArray } = apiPropertyOptions(target, rules.property) ?? {};
        const nested = Array.isArray(type) ? type[0] : type;
        if (typeof nested !== 'function') throw new Error(`${where}: @ValidateNested needs an @ApiProperty type naming the DTO class`);
        const schema = dtoJsonSchema(nested as Ctor);
        parts.push(Array.isArray(type) || isArray ? { type: 'array', items: schema } : schema);
      } else if (m.type === 'customValidation' && m.name && CONSTRAINTS[m.name] && !m.each) {
        parts.push(CONSTRAINTS[m.name](m.constraints ?? []));
      } else {
        throw new Error(`${where}: @${m.name ?? m.type}${m.each ? ' (each)' : ''} has no JSON Schema form (see platform/http/dto-json-schema)`);
      }
    }
    const schema = merge(parts);
    if (schema.type === 'string' && schema.maxLength === undefined && schema.enum === undefined) schema.maxLength = MAX_STRING_LENGTH;
    if (schema.type === 'array' && schema.maxItems === undefined) schema.maxItems = MAX_ARRAY_ITEMS;
    properties[rules.property] = optional ? { anyOf: [{ type: 'null' }, schema] } : schema;
    if (!optional) required.push(rules.property);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** One schema holding all parts (keywords of one schema all apply); parts whose keywords collide go under allOf. */
function merge(parts: JsonSchema[]): JsonSchema {
  const out: JsonSchema = {};
  const rest: JsonSchema[] = [];
  for (const part of parts) {
    const clash = Object.entries(part).some(([k, v]) => k in out && JSON.stringify(out[k]) !== JSON.stringify(v));
    if (clash) rest.push(part);
    else Object.assign(out, part);
  }
  return rest.length ? { ...out, allOf: rest } : out;
}
