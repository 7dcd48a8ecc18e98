import { PlatformErrors } from './platform.errors';

/**
 * Opaque keyset cursors for cursor-paginated lists: the position (e.g. the last item's sort key and id) as
 * base64url JSON. A cursor that does not decode to the expected keys answers 400 `validation_failed` on `cursor`.
 */
export function encodeCursor(position: Record<string, string>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const ok = parsed !== null && typeof parsed === 'object' && keys.every((k) => typeof (parsed as Record<string, unknown>)[k] === 'string');
  if (!ok) throw PlatformErrors.error('validation_failed', 'cursor is not a cursor this list returned', [{ field: 'cursor', reason: 'invalid cursor' }]);
  return parsed as Record<K, string>;
}
