import type { Clock } from '../clock.js'
import type { Db } from './db.js'
import { StoreConflictError } from './errors.js'
import { isForeignKeyViolation } from './sqlite-errors.js'
import type { Greeting, GreetingKind } from './types.js'

interface GreetingRow {
  mailbox_id: number
  kind: string
  file: string
  size_bytes: number
  duration_ms: number
  created_at: number
}

/** The one place a `greetings` row becomes a `Greeting`. */
function toGreeting(row: GreetingRow): Greeting {
  return {
    mailboxRowId: row.mailbox_id,
    kind: row.kind as GreetingKind,
    file: row.file,
    sizeBytes: row.size_bytes,
    durationMs: row.duration_ms,
    createdAt: row.created_at,
  }
}

/** A recorded (or imported) greeting file, already fsynced; `file` is relative to the state directory. */
export interface GreetingFile {
  file: string
  sizeBytes: number
  durationMs: number
}

/** Greetings and recorded names: at most one per (box, kind). */
export class GreetingRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * Store or replace the greeting of `kind`. Resolves to the previous file's path when it was replaced by a
   * different file (the caller removes it), else undefined. StoreConflictError when the box does not exist.
   */
  set(mailboxRowId: number, kind: GreetingKind, greeting: GreetingFile): Promise<string | undefined> {
    return this.db.transaction(async () => {
      const previous = await this.get(mailboxRowId, kind)
      try {
        await this.db.run(
          `INSERT INTO greetings (mailbox_id, kind, file, size_bytes, duration_ms, created_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (mailbox_id, kind) DO UPDATE SET file = excluded.file, size_bytes = excluded.size_bytes,
             duration_ms = excluded.duration_ms, created_at = excluded.created_at`,
          [mailboxRowId, kind, greeting.file, greeting.sizeBytes, greeting.durationMs, this.clock.now()],
        )
      } catch (err) {
        if (isForeignKeyViolation(err)) {
          throw new StoreConflictError(`no mailbox with row id ${mailboxRowId}`, { cause: err })
        }
        throw err
      }
      return previous !== undefined && previous.file !== greeting.file ? previous.file : undefined
    })
  }

  async get(mailboxRowId: number, kind: GreetingKind): Promise<Greeting | undefined> {
    const row = await this.db.get<GreetingRow>('SELECT * FROM greetings WHERE mailbox_id = ? AND kind = ?', [
      mailboxRowId,
      kind,
    ])
    return row === undefined ? undefined : toGreeting(row)
  }

  /** Remove a greeting; resolves to its file path (to delete after) or undefined when there was none. */
  remove(mailboxRowId: number, kind: GreetingKind): Promise<string | undefined> {
    return this.db.transaction(async () => {
      const previous = await this.get(mailboxRowId, kind)
      if (previous === undefined) return undefined
      await this.db.run('DELETE FROM greetings WHERE mailbox_id = ? AND kind = ?', [mailboxRowId, kind])
      return previous.file
    })
  }

  /** All greetings of a box, by kind. */
  async list(mailboxRowId: number): Promise<Greeting[]> {
    const rows = await this.db.all<GreetingRow>(
      'SELECT * FROM greetings WHERE mailbox_id = ? ORDER BY kind',
      [mailboxRowId],
    )
    return rows.map(toGreeting)
  }
}
