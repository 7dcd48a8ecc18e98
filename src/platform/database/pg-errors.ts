/** PostgreSQL error codes the application reacts to. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_DEADLOCK_DETECTED = '40P01';

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: string; driverError?: { code?: string } } | null;
  return e?.code ?? e?.driverError?.code;
}

/** A unique-key violation, whether the driver error arrives bare or wrapped by TypeORM (`driverError`). */
export function isUniqueViolation(err: unknown): boolean {
  return codeOf(err) === PG_UNIQUE_VIOLATION;
}

/** PostgreSQL broke a lock cycle by aborting this transaction; running it again normally succeeds. */
export function isDeadlock(err: unknown): boolean {
  return codeOf(err) === PG_DEADLOCK_DETECTED;
}
