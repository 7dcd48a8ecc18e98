import { Alias, AliasKind } from './lead-events';

/** ING-5 suggested default: trim every alias; e-mail addresses are case-insensitive, so lower-cased. */
export function normaliseAlias(kind: AliasKind, raw: string): Alias {
  const value = raw.trim();
  return { kind, value: kind === 'email' ? value.toLowerCase() : value };
}

/** Aliases in the order given, normalised, without repeats. */
export function normaliseAliases(aliases: { alias_kind: AliasKind; raw_value: string }[]): Alias[] {
  const seen = new Set<string>();
  const out: Alias[] = [];
  for (const a of aliases) {
    const alias = normaliseAlias(a.alias_kind, a.raw_value);
    const key = `${alias.kind}:${alias.value}`;
    if (alias.value && !seen.has(key)) {
      seen.add(key);
      out.push(alias);
    }
  }
  return out;
}

/** The key an alias is looked up by within an OU. */
export const aliasKey = (a: Alias): string => `${a.kind}:${a.value}`;
