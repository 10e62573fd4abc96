import { StoreError } from './errors.js'

/** True when `err` is SQLite refusing a write for a UNIQUE / PRIMARY KEY constraint (a duplicate). */
export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof StoreError)) return false
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined
  return (
    cause?.code === 'SQLITE_CONSTRAINT' &&
    typeof cause.message === 'string' &&
    /UNIQUE constraint|PRIMARY KEY/.test(cause.message)
  )
}

/** True when `err` is SQLite refusing a write for a FOREIGN KEY constraint (an unknown parent row). */
export function isForeignKeyViolation(err: unknown): boolean {
  if (!(err instanceof StoreError)) return false
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined
  return (
    cause?.code === 'SQLITE_CONSTRAINT' &&
    typeof cause.message === 'string' &&
    /FOREIGN KEY/.test(cause.message)
  )
}
