import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks'
import sqlite3 from 'sqlite3'
import { migrations } from './migrations.js'
import { StoreError } from './errors.js'

export type SqlValue = string | number | bigint | null | Buffer
export type Params = readonly SqlValue[]
export interface RunResult {
  lastId: number
  changes: number
}

/** Turns of other work after which waiting background work gets one (see the class comment). */
const URGENT_TURNS_PER_BACKGROUND = 4

/**
 * The only user of the `sqlite3` callback API. One connection per process, WAL, foreign keys, busy timeout.
 *
 * sqlite3 runs every statement of a connection on one thread, but nothing stops two async flows from
 * interleaving their statements inside each other's BEGIN…COMMIT. So every statement goes through one queue, and
 * `transaction()` holds the queue for its whole body; statements issued *inside* the body (tracked with
 * AsyncLocalStorage) bypass the queue instead of deadlocking on it.
 *
 * The queue has two lanes: work started inside `inBackground()` (the outbox's claims, reads and marks) waits while
 * other work is queued, so the commits and lamp reads of calls ending in a burst do not queue behind mail (issue
 * 12: 60 calls ending within a second). Not for ever: after `URGENT_TURNS_PER_BACKGROUND` turns of other work in a
 * row, waiting background work gets one turn, so a PBX that never goes quiet still sends its mail (the simulator
 * bench at 1,000 calls: with strict priority no mail went out for the first 8 s of a burst). Each lane keeps its
 * order.
 */
export class Db {
  private readonly lanes: { urgent: Array<() => void>; background: Array<() => void> } = {
    urgent: [],
    background: [],
  }
  private busy = false
  /** Turns the urgent lane took in a row while background work waited. */
  private urgentInARow = 0
  /** The bodies of `groupedTransaction` waiting for the connection, while their group is still open. */
  private forming: GroupMember[] | undefined
  private readonly background = new AsyncLocalStorage<true>()
  /**
   * Marks the async context of a running transaction body. It is an object, not `true`, because AsyncLocalStorage
   * also follows callbacks *scheduled* from the body (timers, listeners, un-awaited promises): once the transaction
   * ends, `open` turns false so such late statements queue normally instead of slipping into someone else's
   * BEGIN…COMMIT.
   */
  private readonly inTransaction = new AsyncLocalStorage<{ open: boolean }>()

  private constructor(
    private readonly raw: sqlite3.Database,
    readonly path: string,
    /** Statements go to sqlite3 at once, side by side, not through the queue (a read-only connection's reads). */
    private readonly sideBySide = false,
  ) {}

  /** Open (creating if needed) and migrate. `busyTimeoutMs` is how long to wait for another process's lock. */
  static async open(path: string, options: { busyTimeoutMs?: number } = {}): Promise<Db> {
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const db: sqlite3.Database = new sqlite3.Database(path, (err) => {
        if (err === null) resolve(db)
        else reject(new StoreError(`cannot open database ${path}: ${err.message}`, undefined, { cause: err }))
      })
    })
    const db = new Db(raw, path)
    try {
      await db.exec(`PRAGMA busy_timeout = ${Math.floor(options.busyTimeoutMs ?? 5000)}`)
      if (path !== ':memory:') await db.exec('PRAGMA journal_mode = WAL')
      await db.exec('PRAGMA foreign_keys = ON')
      await db.exec('PRAGMA synchronous = NORMAL')
      await db.migrate()
    } catch (err) {
      // Do not leak the connection (and its file handle) when a pragma or migration fails.
      await db.close().catch(() => undefined)
      throw err
    }
    return db
  }

  /**
   * Open an existing database read-only, for inspection (voicemailctl doctor): no migration, no pragma that writes
   * (journal mode is left as the file has it), so an older or newer schema is reported instead of changed.
   * `busyTimeoutMs` (default 5000) is how long a read waits for another process's lock. `sideBySide`: reads are
   * handed to sqlite3 as they come instead of one after the other through the queue (a read-only connection has no
   * transaction to keep whole; the lamps' reads of a burst of calls otherwise waited a round trip each, issue 12).
   * Rejects with StoreError (its `cause` is SQLite's error) when the file is missing or cannot be opened.
   */
  static async openReadOnly(
    path: string,
    options: { busyTimeoutMs?: number; sideBySide?: boolean } = {},
  ): Promise<Db> {
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const db: sqlite3.Database = new sqlite3.Database(path, sqlite3.OPEN_READONLY, (err) => {
        if (err === null) resolve(db)
        else reject(new StoreError(`cannot open database ${path}: ${err.message}`, undefined, { cause: err }))
      })
    })
    const db = new Db(raw, path, options.sideBySide === true)
    try {
      await db.get(`PRAGMA busy_timeout = ${Math.floor(options.busyTimeoutMs ?? 5000)}`)
    } catch (err) {
      await db.close().catch(() => undefined)
      throw err
    }
    return db
  }

  /** The schema version (`PRAGMA user_version`; 0 for a new or foreign file). Rejects with StoreError. */
  async userVersion(): Promise<number> {
    const row = await this.get<{ user_version: number }>('PRAGMA user_version')
    return row?.user_version ?? 0
  }

  run(sql: string, params: Params = []): Promise<RunResult> {
    return this.queued(
      () =>
        new Promise<RunResult>((resolve, reject) => {
          this.raw.run(sql, params as SqlValue[], function (this: sqlite3.RunResult, err: Error | null) {
            if (err === null) resolve({ lastId: this.lastID, changes: this.changes })
            else reject(wrap(err, sql))
          })
        }),
    )
  }

  get<T>(sql: string, params: Params = []): Promise<T | undefined> {
    return this.queued(
      () =>
        new Promise<T | undefined>((resolve, reject) => {
          this.raw.get(sql, params as SqlValue[], (err: Error | null, row: T | undefined) => {
            if (err === null) resolve(row)
            else reject(wrap(err, sql))
          })
        }),
    )
  }

  all<T>(sql: string, params: Params = []): Promise<T[]> {
    return this.queued(
      () =>
        new Promise<T[]>((resolve, reject) => {
          this.raw.all(sql, params as SqlValue[], (err: Error | null, rows: T[]) => {
            if (err === null) resolve(rows)
            else reject(wrap(err, sql))
          })
        }),
    )
  }

  exec(sql: string): Promise<void> {
    return this.queued(
      () =>
        new Promise<void>((resolve, reject) => {
          this.raw.exec(sql, (err: Error | null) => {
            if (err === null) resolve()
            else reject(wrap(err, sql))
          })
        }),
    )
  }

  /**
   * Run `body` inside BEGIN IMMEDIATE … COMMIT, rolled back if it throws. Nothing else on this connection runs
   * until it ends. IMMEDIATE takes the write lock up front, so a concurrent `voicemailctl` waits on busy_timeout
   * instead of failing half way.
   */
  transaction<T>(body: () => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()?.open === true) return body()
    return this.queued(() => this.runTransaction(body))
  }

  /**
   * Like `transaction`, for bodies that never read what another such body writes (a new message's row with its
   * mails): those queued while the connection is busy run together, concurrently, in one transaction once it is
   * free, so a burst of calls ending at once pays one BEGIN…COMMIT and overlapping statements instead of a round
   * of each per message (issue 12). Each body still commits with everything it wrote or not at all: if one fails,
   * the group is rolled back and every body runs again in a transaction of its own, so only the failing one fails.
   */
  groupedTransaction<T>(body: () => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()?.open === true) return body()
    return new Promise<T>((resolve, reject) => {
      const member: GroupMember = {
        body,
        settle: (result) => {
          if (result.status === 'fulfilled') resolve(result.value as T)
          // The body's own error, passed through as `transaction` would.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          else reject(result.reason)
        },
      }
      if (this.forming !== undefined) {
        this.forming.push(member)
        return
      }
      const group = [member]
      this.forming = group
      void this.queued(() => {
        // The group is closed once it runs; a body queued from now on starts the next one.
        this.forming = undefined
        return this.runGroup(group)
      })
    })
  }

  private async runGroup(group: readonly GroupMember[]): Promise<void> {
    if (group.length > 1) {
      const results: Array<PromiseSettledResult<unknown>> = []
      const together = await this.runTransaction(async () => {
        results.push(...(await Promise.allSettled(group.map((m) => m.body()))))
        if (results.some((r) => r.status === 'rejected')) throw new GroupFailed()
      }).then(
        () => true,
        () => false,
      )
      if (together) {
        group.forEach((m, i) => m.settle(results[i] as PromiseSettledResult<unknown>))
        return
      }
    }
    for (const m of group) {
      m.settle(
        await this.runTransaction(m.body).then(
          (value): PromiseSettledResult<unknown> => ({ status: 'fulfilled', value }),
          (reason: unknown): PromiseSettledResult<unknown> => ({ status: 'rejected', reason }),
        ),
      )
    }
  }

  /** BEGIN IMMEDIATE, `body`, COMMIT (ROLLBACK if it throws), with the connection already this caller's. */
  private runTransaction<T>(body: () => Promise<T>): Promise<T> {
    const marker = { open: true }
    return this.inTransaction.run(marker, async () => {
      await this.exec('BEGIN IMMEDIATE')
      try {
        const result = await body()
        await this.exec('COMMIT')
        return result
      } catch (err) {
        await this.exec('ROLLBACK').catch(() => undefined)
        throw err
      } finally {
        marker.open = false
      }
    })
  }

  close(): Promise<void> {
    return this.queued(
      () =>
        new Promise<void>((resolve, reject) => {
          this.raw.close((err: Error | null) => {
            if (err === null) resolve()
            else reject(wrap(err, 'close'))
          })
        }),
    )
  }

  /**
   * Run `body` with every statement it queues (also from callbacks it schedules) in the background lane: after
   * any statement or transaction of other work that is waiting.
   */
  inBackground<T>(body: () => Promise<T>): Promise<T> {
    return this.background.run(true, body)
  }

  private queued<T>(op: () => Promise<T>): Promise<T> {
    if (this.sideBySide || this.inTransaction.getStore()?.open === true) return op()
    return new Promise<T>((resolve, reject) => {
      // Bound to the caller's async context: `op` runs later, from whichever statement ended before it, and must
      // see its own caller's transaction marker, not that one's.
      const run = AsyncResource.bind(() => {
        void Promise.resolve()
          .then(op)
          .then(resolve, reject)
          .finally(() => this.next())
      })
      const lane = this.background.getStore() === true ? this.lanes.background : this.lanes.urgent
      lane.push(run)
      if (!this.busy) this.next()
    })
  }

  /** Start the next waiting statement: urgent work first, but background work at least every few turns. */
  private next(): void {
    const { urgent, background } = this.lanes
    const backgroundsTurn =
      background.length > 0 && (urgent.length === 0 || this.urgentInARow >= URGENT_TURNS_PER_BACKGROUND)
    const run = backgroundsTurn ? background.shift() : urgent.shift()
    this.urgentInARow = backgroundsTurn || background.length === 0 ? 0 : this.urgentInARow + 1
    this.busy = run !== undefined
    run?.()
  }

  private async migrate(): Promise<void> {
    const current = await this.userVersion()
    if (current > migrations.length) {
      throw new StoreError(
        `database ${this.path} has schema version ${current}, newer than this voicemaild (${migrations.length}); upgrade voicemaild`,
      )
    }
    for (let version = current + 1; version <= migrations.length; version++) {
      const sql = migrations[version - 1] as string
      await this.transaction(async () => {
        await this.exec(sql)
        await this.exec(`PRAGMA user_version = ${version}`)
      })
    }
  }
}

interface GroupMember {
  body: () => Promise<unknown>
  settle(result: PromiseSettledResult<unknown>): void
}

/** A grouped transaction had a failing body: rolled back, each body runs again alone. */
class GroupFailed extends Error {}

function wrap(err: Error, sql: string): StoreError {
  return new StoreError(`database error: ${err.message}`, sql, { cause: err })
}
