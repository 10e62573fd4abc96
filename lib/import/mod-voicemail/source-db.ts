import { access } from 'node:fs/promises'
import { Db } from '../../store/db.js'
import { ImportSourceError } from '../errors.js'

/**
 * One row of mod_voicemail's `voicemail_msgs` (mod_voicemail.c `vm_sql`), values as they are in the file except
 * for type: mod_voicemail writes with `%q` formatting, so anything may be text, and a hostile or damaged database
 * may hold anything at all. Meaning, checked against mod_voicemail.c (1.11):
 * - `read_epoch` 0 = new; not 0 = saved (listened to and kept). `flags` is '' / `save` (kept during the current
 *   listening session; read_epoch is set when the session leaves the folder) / `delete` (deleted, purged when the
 *   session leaves the folder). `read_flags` is `A_URGENT` or `B_NORMAL`: urgency, despite its name.
 * - `uuid` is the *call's* uuid: copies of one message (vm-cc, groups, broadcasts) share it, so it is not unique.
 * - `forwarded_by` is `user@domain` for carbon copies (vm-cc); a forward by key 8 leaves it empty.
 */
export interface SourceMessage {
  createdEpoch: number
  readEpoch: number
  username: string
  domain: string
  uuid: string
  cidName: string
  cidNumber: string
  inFolder: string
  filePath: string
  messageLen: number
  flags: string
  readFlags: string
  forwardedBy: string
}

/** One row of `voicemail_prefs`: the recorded name, the chosen greeting and the PIN set by phone (plain text). */
export interface SourcePrefs {
  username: string
  domain: string
  namePath: string
  greetingPath: string
  password: string
}

export interface SourceStore {
  messages: SourceMessage[]
  prefs: SourcePrefs[]
}

const MESSAGE_COLUMNS = [
  'created_epoch',
  'read_epoch',
  'username',
  'domain',
  'uuid',
  'cid_name',
  'cid_number',
  'in_folder',
  'file_path',
  'message_len',
  'flags',
  'read_flags',
] as const
const PREFS_COLUMNS = ['username', 'domain', 'name_path', 'greeting_path', 'password'] as const

/**
 * Read mod_voicemail's SQLite database read-only (the source is never changed). Rejects with ImportSourceError when
 * the file is missing or is not mod_voicemail's schema. `forwarded_by` may be absent (databases from before it was
 * added read as '').
 */
export async function readSourceDb(path: string): Promise<SourceStore> {
  try {
    await access(path)
  } catch {
    throw new ImportSourceError(`no mod_voicemail database at ${path}`, [
      "give its path with --db (it is voicemail_<profile>.db in FreeSWITCH's db folder)",
    ])
  }
  let db: Db
  try {
    db = await Db.openReadOnly(path)
  } catch (err) {
    throw new ImportSourceError(
      `cannot open ${path}: ${err instanceof Error ? err.message : String(err)}`,
      [],
      {
        cause: err,
      },
    )
  }
  try {
    const msgColumns = await columns(db, 'voicemail_msgs')
    const prefColumns = await columns(db, 'voicemail_prefs')
    const missing = [
      ...MESSAGE_COLUMNS.filter((c) => !msgColumns.has(c)).map((c) => `voicemail_msgs.${c}`),
      ...PREFS_COLUMNS.filter((c) => !prefColumns.has(c)).map((c) => `voicemail_prefs.${c}`),
    ]
    if (missing.length > 0) {
      throw new ImportSourceError(`${path} is not a mod_voicemail database: missing ${missing.join(', ')}`)
    }
    const forwarded = msgColumns.has('forwarded_by') ? 'forwarded_by' : "'' AS forwarded_by"
    const messageRows = await db.all<Record<string, unknown>>(
      `SELECT ${MESSAGE_COLUMNS.join(', ')}, ${forwarded} FROM voicemail_msgs ORDER BY rowid`,
    )
    const prefRows = await db.all<Record<string, unknown>>(
      `SELECT ${PREFS_COLUMNS.join(', ')} FROM voicemail_prefs ORDER BY rowid`,
    )
    return {
      messages: messageRows.map((r) => ({
        createdEpoch: int(r.created_epoch),
        readEpoch: int(r.read_epoch),
        username: text(r.username),
        domain: text(r.domain),
        uuid: text(r.uuid),
        cidName: text(r.cid_name),
        cidNumber: text(r.cid_number),
        inFolder: text(r.in_folder),
        filePath: text(r.file_path),
        messageLen: int(r.message_len),
        flags: text(r.flags),
        readFlags: text(r.read_flags),
        forwardedBy: text(r.forwarded_by),
      })),
      prefs: prefRows.map((r) => ({
        username: text(r.username),
        domain: text(r.domain),
        namePath: text(r.name_path),
        greetingPath: text(r.greeting_path),
        password: text(r.password),
      })),
    }
  } catch (err) {
    if (err instanceof ImportSourceError) throw err
    throw new ImportSourceError(
      `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`,
      [],
      {
        cause: err,
      },
    )
  } finally {
    await db.close().catch(() => undefined)
  }
}

async function columns(db: Db, table: string): Promise<Set<string>> {
  const rows = await db.all<{ name: string }>(`PRAGMA table_info(${table})`)
  return new Set(rows.map((r) => r.name.toLowerCase()))
}

/** Any SQLite value as text ('' for NULL; a blob as UTF-8). */
function text(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  return ''
}

/** Any SQLite value as a whole number (0 when it is not one: mod_voicemail writes '0' and numbers alike). */
function int(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN
  return Number.isFinite(n) ? Math.trunc(n) : 0
}
