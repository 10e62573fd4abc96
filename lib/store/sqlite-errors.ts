import { StoreConflictError, StoreError } from './errors.js'

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

/**
 * What a failed message insert (a deposit, a forward, an adopted or an imported recording) is rethrown as:
 * StoreConflictError for a uuid that exists already or a box that is gone, else the error as it was.
 */
export function messageInsertError(err: unknown, message: { uuid: string; mailboxRowId: number }): unknown {
  if (isUniqueViolation(err))
    return new StoreConflictError(`message ${message.uuid} already exists`, { cause: err })
  if (isForeignKeyViolation(err)) {
    return new StoreConflictError(`no mailbox with row id ${message.mailboxRowId}`, { cause: err })
  }
  return err
}
