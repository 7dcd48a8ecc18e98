/** PostgreSQL error codes the application reacts to. */
export const PG_UNIQUE_VIOLATION = '23505';

/** A unique-key violation, whether the driver error arrives bare or wrapped by TypeORM (`driverError`). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } } | null;
  return (e?.code ?? e?.driverError?.code) === PG_UNIQUE_VIOLATION;
}
