import type { Clock } from '../clock.js'
import type { MailboxKind } from '../config/types.js'
import { isBoxNumber } from '../mailbox-values.js'
import type { Db, SqlValue } from './db.js'
import { StoreConflictError } from './errors.js'
import { isForeignKeyViolation, isUniqueViolation } from './sqlite-errors.js'
import { TombstoneRepo } from './tombstones.js'
import type { Access, GreetingKind, Mailbox } from './types.js'

interface MailboxRow {
  id: number
  domain: string
  number: string
  kind: string
  name: string
  pin_hash: string | null
  pin_temporary: number
  email: string
  attach_audio: number
  keep_after_email: number
  notify_full: number
  mwi_accounts: string
  quota_bytes: number | null
  timezone: string | null
  active_greeting: string
  enabled: number
  full_notified: number
  locked_until: number | null
  owner_locked_until: number | null
  lock_mailed_at: number | null
  owner_lock_mailed_at: number | null
  created_at: number
  updated_at: number
}

/** The one place a `mailboxes` row becomes a `Mailbox`. */
function toMailbox(row: MailboxRow): Mailbox {
  const box: Mailbox = {
    rowId: row.id,
    domain: row.domain,
    id: row.number,
    kind: row.kind as MailboxKind,
    name: row.name,
    pinTemporary: row.pin_temporary !== 0,
    email: parseList(row.email),
    attachAudio: row.attach_audio !== 0,
    keepAfterEmail: row.keep_after_email !== 0,
    notifyFull: row.notify_full !== 0,
    mwiAccounts: parseList(row.mwi_accounts),
    activeGreeting: row.active_greeting as GreetingKind,
    enabled: row.enabled !== 0,
    fullNotified: row.full_notified !== 0,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
  if (row.pin_hash !== null) box.pinHash = row.pin_hash
  if (row.quota_bytes !== null) box.quotaBytes = row.quota_bytes
  if (row.timezone !== null) box.timezone = row.timezone
  if (row.locked_until !== null) box.lockedUntil = row.locked_until
  if (row.owner_locked_until !== null) box.ownerLockedUntil = row.owner_locked_until
  return box
}

/** The column holding the lock of each kind of access (migration 3). */
const lockColumn: Readonly<Record<Access, string>> = { remote: 'locked_until', owner: 'owner_locked_until' }

/** `text` as a LIKE pattern that matches only itself (with `ESCAPE '\'`). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

function parseList(json: string): string[] {
  const value: unknown = JSON.parse(json)
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

/** Settings an operator (or the config file) may change; `null` clears quota/timezone back to the default. */
export interface MailboxSettings {
  kind?: MailboxKind
  name?: string
  email?: readonly string[]
  attachAudio?: boolean
  keepAfterEmail?: boolean
  notifyFull?: boolean
  mwiAccounts?: readonly string[]
  quotaBytes?: number | null
  timezone?: string | null
  enabled?: boolean
}

/** What `create` needs: the key, the kind, and any settings (defaults as in SPEC §3). */
export interface NewMailbox extends Omit<MailboxSettings, 'kind'> {
  domain: string
  id: string
  kind: MailboxKind
  /** An already hashed PIN (see pin.ts); a declared PIN is stored with `pinTemporary: true`. */
  pinHash?: string
  pinTemporary?: boolean
}

/** Where a setting lives in the table and how it is written. */
const settingColumns: {
  [K in keyof Required<MailboxSettings>]: [string, (v: MailboxSettings[K]) => SqlValue]
} = {
  kind: ['kind', (v) => v ?? null],
  name: ['name', (v) => v ?? ''],
  email: ['email', (v) => JSON.stringify(v ?? [])],
  attachAudio: ['attach_audio', (v) => (v === true ? 1 : 0)],
  keepAfterEmail: ['keep_after_email', (v) => (v === true ? 1 : 0)],
  notifyFull: ['notify_full', (v) => (v === true ? 1 : 0)],
  mwiAccounts: ['mwi_accounts', (v) => JSON.stringify(v ?? [])],
  quotaBytes: ['quota_bytes', (v) => v ?? null],
  timezone: ['timezone', (v) => v ?? null],
  enabled: ['enabled', (v) => (v === true ? 1 : 0)],
}

const KINDS: readonly string[] = ['personal', 'general']
const GREETING_KINDS: readonly string[] = ['unavailable', 'busy', 'temporary', 'name']

/** Throws StoreConflictError unless `id` is 2–10 digits. Paths are built from box ids, so this is also security. */
export function assertMailboxId(id: string): void {
  if (!isBoxNumber(id))
    throw new StoreConflictError(`mailbox id must be 2 to 10 digits, got ${JSON.stringify(id)}`)
}

/** Mailboxes: lookups, creation, settings, PIN, lock and flags. Lookups resolve undefined when there is no row. */
export class MailboxRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly tombstones: TombstoneRepo = new TombstoneRepo(db),
  ) {}

  /** The box `(domain, id)`, or undefined. */
  async find(domain: string, id: string): Promise<Mailbox | undefined> {
    const row = await this.db.get<MailboxRow>('SELECT * FROM mailboxes WHERE domain = ? AND number = ?', [
      domain,
      id,
    ])
    return row === undefined ? undefined : toMailbox(row)
  }

  /** The box with this internal row id, or undefined. */
  async findByRowId(rowId: number): Promise<Mailbox | undefined> {
    const row = await this.db.get<MailboxRow>('SELECT * FROM mailboxes WHERE id = ?', [rowId])
    return row === undefined ? undefined : toMailbox(row)
  }

  /** Boxes of one domain, or of every domain when `domain` is omitted; ordered by domain then number. */
  async list(domain?: string): Promise<Mailbox[]> {
    const rows =
      domain === undefined
        ? await this.db.all<MailboxRow>('SELECT * FROM mailboxes ORDER BY domain, length(number), number')
        : await this.db.all<MailboxRow>(
            'SELECT * FROM mailboxes WHERE domain = ? ORDER BY length(number), number',
            [domain],
          )
    return rows.map(toMailbox)
  }

  /**
   * Enabled boxes whose `mwiAccounts` may list `account` (`user@domain`): a case-insensitive (ASCII) substring
   * match on the stored JSON, so every spelling (`sip:` prefix, `;params`) is found; the caller then compares
   * exactly. `%`, `_` and `\` in `account` match only themselves. Resolves [] when none.
   */
  async listByMwiAccount(account: string): Promise<Mailbox[]> {
    // A LIKE narrows the scan to the few boxes that may list the account; SQLite's LIKE is case-insensitive for
    // ASCII, like SIP host names.
    const rows = await this.db.all<MailboxRow>(
      "SELECT * FROM mailboxes WHERE enabled = 1 AND mwi_accounts LIKE ? ESCAPE '\\'",
      [`%${escapeLike(account)}%`],
    )
    return rows.map(toMailbox)
  }

  /**
   * Create a box. Resolves to it; rejects with StoreConflictError when the id or kind is invalid, the box already
   * exists, or the domain has no row (create it first with `DomainRepo.ensure`).
   */
  async create(box: NewMailbox): Promise<Mailbox> {
    assertMailboxId(box.id)
    if (!KINDS.includes(box.kind)) throw new StoreConflictError(`mailbox kind must be personal or general`)
    const now = this.clock.now()
    let lastId: number
    try {
      ;({ lastId } = await this.db.run(
        `INSERT INTO mailboxes (domain, number, kind, name, pin_hash, pin_temporary, email, attach_audio,
           keep_after_email, notify_full, mwi_accounts, quota_bytes, timezone, enabled, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          box.domain,
          box.id,
          box.kind,
          box.name ?? '',
          box.pinHash ?? null,
          box.pinHash !== undefined && box.pinTemporary === true ? 1 : 0,
          JSON.stringify(box.email ?? []),
          box.attachAudio === false ? 0 : 1,
          box.keepAfterEmail === false ? 0 : 1,
          box.notifyFull === false ? 0 : 1,
          JSON.stringify(box.mwiAccounts ?? []),
          box.quotaBytes ?? null,
          box.timezone ?? null,
          box.enabled === false ? 0 : 1,
          now,
          now,
        ],
      ))
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new StoreConflictError(`mailbox ${box.id}@${box.domain} already exists`, { cause: err })
      }
      if (isForeignKeyViolation(err))
        throw new StoreConflictError(`unknown domain ${box.domain}`, { cause: err })
      throw err
    }
    return (await this.findByRowId(lastId)) as Mailbox
  }

  /** Change some settings; keys left out are untouched. Resolves to the updated box; StoreConflictError if gone. */
  async update(rowId: number, settings: MailboxSettings): Promise<Mailbox> {
    if (settings.kind !== undefined && !KINDS.includes(settings.kind)) {
      throw new StoreConflictError(`mailbox kind must be personal or general`)
    }
    const sets: string[] = []
    const params: SqlValue[] = []
    for (const key of Object.keys(settingColumns) as (keyof MailboxSettings)[]) {
      if (!(key in settings)) continue
      const value = settings[key]
      if (value === undefined && key !== 'quotaBytes' && key !== 'timezone') continue
      const [column, encode] = settingColumns[key] as [string, (v: unknown) => SqlValue]
      sets.push(`${column} = ?`)
      params.push(encode(value))
    }
    await this.touch(rowId, sets, params)
    return (await this.findByRowId(rowId)) as Mailbox
  }

  /** Store a new PIN hash (or clear it with undefined); `temporary` forces a change at next login. */
  setPin(rowId: number, pinHash: string | undefined, temporary: boolean): Promise<void> {
    return this.touch(rowId, ['pin_hash = ?', 'pin_temporary = ?'], [pinHash ?? null, temporary ? 1 : 0])
  }

  /** Choose which greeting callers hear. StoreConflictError for an unknown kind or box. */
  setActiveGreeting(rowId: number, kind: GreetingKind): Promise<void> {
    if (!GREETING_KINDS.includes(kind)) return Promise.reject(new StoreConflictError(`unknown greeting kind`))
    return this.touch(rowId, ['active_greeting = ?'], [kind])
  }

  /**
   * Claim the current full episode's "mailbox full" notice: true for exactly one caller until it is re-armed
   * (one conditional UPDATE, so two callers finding the box full at once cannot both claim it).
   */
  async claimFullNotice(rowId: number): Promise<boolean> {
    const { changes } = await this.db.run(
      'UPDATE mailboxes SET full_notified = 1, updated_at = ? WHERE id = ? AND full_notified = 0',
      [this.clock.now(), rowId],
    )
    return changes === 1
  }

  /** Remember that the "mailbox full" notice went out for this full episode (false re-arms it). */
  setFullNotified(rowId: number, notified: boolean): Promise<void> {
    return this.touch(rowId, ['full_notified = ?'], [notified ? 1 : 0])
  }

  /** Refuse PIN entry by `access` until `until` (epoch ms). */
  lock(rowId: number, until: number, access: Access = 'remote'): Promise<void> {
    return this.touch(rowId, [`${lockColumn[access]} = ?`], [until])
  }

  /** Clear the lock of one kind of access, or both. */
  unlock(rowId: number, access?: Access): Promise<void> {
    const columns = access === undefined ? Object.values(lockColumn) : [lockColumn[access]]
    return this.touch(
      rowId,
      columns.map((c) => `${c} = NULL`),
      [],
    )
  }

  /**
   * Claim the right to mail a lockout notice of `access` at `now`: true (and the time recorded) unless one was
   * mailed less than `intervalMs` ago. One conditional UPDATE, so two calls locking at once mail once.
   */
  async claimLockoutMail(rowId: number, access: Access, now: number, intervalMs: number): Promise<boolean> {
    const column = access === 'owner' ? 'owner_lock_mailed_at' : 'lock_mailed_at'
    const { changes } = await this.db.run(
      `UPDATE mailboxes SET ${column} = ? WHERE id = ? AND (${column} IS NULL OR ${column} <= ?)`,
      [now, rowId, now - intervalMs],
    )
    return changes === 1
  }

  /** Enable or disable a box (a disabled box takes no messages and no logins). */
  setEnabled(rowId: number, enabled: boolean): Promise<void> {
    return this.touch(rowId, ['enabled = ?'], [enabled ? 1 : 0])
  }

  /**
   * Delete a box and (by cascade) its messages, greetings and login failures, and tombstone their audio files in
   * the same transaction. Resolves to the relative paths of those files, for `unlinkRemoved` (a crash before the
   * unlink leaves files reconcile removes, never adopts, even if the box is declared again), or undefined when
   * there was no such box.
   */
  remove(rowId: number): Promise<string[] | undefined> {
    return this.db.transaction(async () => {
      const files = await this.db.all<{ file: string }>(
        'SELECT file FROM messages WHERE mailbox_id = ? UNION ALL SELECT file FROM greetings WHERE mailbox_id = ?',
        [rowId, rowId],
      )
      const { changes } = await this.db.run('DELETE FROM mailboxes WHERE id = ?', [rowId])
      if (changes === 0) return undefined
      await this.tombstones.add(
        files.map((f) => ({ file: f.file, mailboxRowId: rowId })),
        'mailbox-removed',
        this.clock.now(),
      )
      return files.map((f) => f.file)
    })
  }

  private async touch(rowId: number, sets: string[], params: SqlValue[]): Promise<void> {
    const { changes } = await this.db.run(
      `UPDATE mailboxes SET ${[...sets, 'updated_at = ?'].join(', ')} WHERE id = ?`,
      [...params, this.clock.now(), rowId],
    )
    if (changes === 0) throw new StoreConflictError(`no mailbox with row id ${rowId}`)
  }
}
