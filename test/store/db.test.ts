import { join } from 'node:path'
import sqlite3 from 'sqlite3'
import t, { type Test } from 'tap'
import { Db } from '../../lib/store/db.js'
import { StoreError } from '../../lib/store/errors.js'
import { migrations } from '../../lib/store/migrations.js'

async function open(t: Test, path: string): Promise<Db> {
  const db = await Db.open(path)
  t.teardown(() => db.close().catch(() => undefined))
  return db
}

void t.test('migrates an empty file to the latest version and reopens idempotently', async (t) => {
  const path = join(t.testdir(), 'v.db')
  const db = await Db.open(path)
  const version = await db.get<{ user_version: number }>('PRAGMA user_version')
  t.equal(version?.user_version, migrations.length, 'user_version is the number of migrations')
  const tables = await db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
  )
  t.same(
    tables.map((r) => r.name),
    [
      'audit_log',
      'deleted_files',
      'domains',
      'greetings',
      'login_failures',
      'mail_outbox',
      'mailboxes',
      'messages',
      'mwi_learned_accounts',
      'recordings_in_progress',
    ],
    'every table of the schema exists',
  )
  const mode = await db.get<{ journal_mode: string }>('PRAGMA journal_mode')
  t.equal(mode?.journal_mode, 'wal', 'WAL journal')
  await db.run("INSERT INTO domains (name, created_at, updated_at) VALUES ('kept.example', 1, 1)")
  await db.close()

  const again = await open(t, path)
  const after = await again.get<{ user_version: number }>('PRAGMA user_version')
  t.equal(after?.user_version, migrations.length, 'reopening does not migrate again')
  const kept = await again.get<{ name: string }>('SELECT name FROM domains')
  t.equal(kept?.name, 'kept.example', 'data survives a reopen')
  const fk = await again.get<{ foreign_keys: number }>('PRAGMA foreign_keys')
  t.equal(fk?.foreign_keys, 1, 'foreign keys are enforced on every connection')
})

void t.test('refuses a database from a newer voicemaild', async (t) => {
  const path = join(t.testdir(), 'newer.db')
  await new Promise<void>((resolve, reject) => {
    const raw = new sqlite3.Database(path, (err) => {
      if (err !== null) return reject(err)
      raw.exec(`PRAGMA user_version = ${migrations.length + 1}`, (e) =>
        e === null ? raw.close(() => resolve()) : reject(e),
      )
    })
  })
  await t.rejects(Db.open(path), StoreError, 'a newer schema is an error, not a downgrade')
})

void t.test('a file that cannot be opened is a StoreError', async (t) => {
  await t.rejects(Db.open(join(t.testdir(), 'no', 'such', 'dir', 'x.db')), StoreError)
})

void t.test('a failing statement is a StoreError carrying the SQL', async (t) => {
  const db = await open(t, join(t.testdir(), 'e.db'))
  const err = await db.run('INSERT INTO nowhere VALUES (1)').catch((e: unknown) => e)
  t.type(err, StoreError)
  t.equal((err as StoreError).sql, 'INSERT INTO nowhere VALUES (1)')
  await t.rejects(db.get('SELEC'), StoreError)
  await t.rejects(db.all('SELEC'), StoreError)
  await t.rejects(db.exec('SELEC'), StoreError)
})

void t.test('50 concurrent read-modify-write transactions keep a counter exact', async (t) => {
  const db = await open(t, join(t.testdir(), 'c.db'))
  await db.exec('CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)')
  await Promise.all(
    Array.from({ length: 50 }, () =>
      db.transaction(async () => {
        const row = await db.get<{ n: number }>('SELECT n FROM counter')
        // Yield between read and write: without the queue, other bodies would read the same value here.
        await new Promise((resolve) => setImmediate(resolve))
        await db.run('UPDATE counter SET n = ?', [(row?.n ?? 0) + 1])
      }),
    ),
  )
  const row = await db.get<{ n: number }>('SELECT n FROM counter')
  t.equal(row?.n, 50, 'no increment was lost')
})

void t.test('a throwing body rolls back and the next transaction runs', async (t) => {
  const db = await open(t, join(t.testdir(), 'r.db'))
  await db.exec('CREATE TABLE x (v TEXT)')
  await t.rejects(
    db.transaction(async () => {
      await db.run("INSERT INTO x VALUES ('lost')")
      throw new Error('boom')
    }),
    { message: 'boom' },
  )
  await db.transaction(async () => {
    await db.transaction(() => db.run("INSERT INTO x VALUES ('nested')"))
  })
  const rows = await db.all<{ v: string }>('SELECT v FROM x')
  t.same(rows, [{ v: 'nested' }], 'the failed body left nothing; a nested transaction joins its parent')
})

void t.test(
  'a statement scheduled from a finished transaction body does not slip into another transaction',
  async (t) => {
    const db = await open(t, join(t.testdir(), 'leak.db'))
    await db.exec('CREATE TABLE x (v TEXT)')
    let fire: () => void = () => undefined
    const trigger = new Promise<void>((resolve) => (fire = resolve))
    let lateDone: Promise<unknown> = Promise.resolve()
    await db.transaction(async () => {
      // A continuation registered inside the body inherits its async context (AsyncLocalStorage follows it) and runs
      // long after the body ended.
      lateDone = trigger.then(() => db.run("INSERT INTO x VALUES ('late')"))
      await db.run("INSERT INTO x VALUES ('first')")
    })
    let releaseOther: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (releaseOther = resolve))
    const other = db.transaction(async () => {
      await db.run("INSERT INTO x VALUES ('other')")
      await gate
      throw new Error('roll back other')
    })
    await new Promise((resolve) => setImmediate(resolve))
    fire()
    await new Promise((resolve) => setImmediate(resolve))
    releaseOther()
    await t.rejects(other, { message: 'roll back other' })
    await lateDone
    const rows = await db.all<{ v: string }>('SELECT v FROM x ORDER BY rowid')
    t.same(
      rows.map((r) => r.v),
      ['first', 'late'],
      'the late insert queued after the other transaction instead of being rolled back with it',
    )
  },
)

void t.test('background work waits while other work is queued; each lane keeps its order', async (t) => {
  const db = await open(t, join(t.testdir(), 'lanes.db'))
  await db.exec('CREATE TABLE x (v TEXT)')
  const order: string[] = []
  let release: () => void = () => undefined
  const gate = new Promise<void>((resolve) => (release = resolve))
  // Holds the connection while both lanes fill up.
  const holder = db.transaction(async () => {
    await gate
    await db.run("INSERT INTO x VALUES ('holder')")
  })
  const mail = db.inBackground(() =>
    Promise.all([
      db.run("INSERT INTO x VALUES ('mail 1')").then(() => order.push('mail 1')),
      db.transaction(async () => {
        await db.run("INSERT INTO x VALUES ('mail 2')")
        order.push('mail 2')
      }),
    ]),
  )
  const call = Promise.all([
    db.transaction(async () => {
      await db.run("INSERT INTO x VALUES ('commit')")
      order.push('commit')
    }),
    db.get('SELECT count(*) AS n FROM x').then(() => order.push('lamp read')),
  ])
  release()
  await Promise.all([holder, mail, call])
  t.same(
    order,
    ['commit', 'lamp read', 'mail 1', 'mail 2'],
    'the call’s work first, then the mail’s, in order',
  )
  const rows = await db.all<{ v: string }>('SELECT v FROM x ORDER BY rowid')
  t.same(
    rows.map((r) => r.v),
    ['holder', 'commit', 'mail 1', 'mail 2'],
    'every statement ran once',
  )
  // A background statement on an idle connection runs at once.
  t.equal((await db.inBackground(() => db.get<{ n: number }>('SELECT 1 AS n')))?.n, 1)
})

void t.test(
  'background work gets a turn after every 4 turns of other work: mail is not starved',
  async (t) => {
    const db = await open(t, join(t.testdir(), 'fair.db'))
    const order: string[] = []
    const { release, held } = holdConnection(db)
    const mail = db.inBackground(() =>
      Promise.all(['mail 1', 'mail 2'].map((m) => db.get('SELECT 1').then(() => order.push(m)))),
    )
    const calls = Array.from({ length: 6 }, (_, i) =>
      db.get('SELECT 1').then(() => order.push(`call ${i + 1}`)),
    )
    release()
    await Promise.all([held, mail, ...calls])
    t.same(
      order,
      ['call 1', 'call 2', 'call 3', 'call 4', 'mail 1', 'call 5', 'call 6', 'mail 2'],
      'four calls, one mail, the last two calls, the other mail',
    )
    // The count started again at the last mail's turn: four calls before the next mail, whatever came before.
    order.length = 0
    const again = holdConnection(db)
    const onlyCalls = Array.from({ length: 5 }, (_, i) =>
      db.get('SELECT 1').then(() => order.push(`call ${i + 1}`)),
    )
    const late = db.inBackground(() => db.get('SELECT 1').then(() => order.push('mail 3')))
    again.release()
    await Promise.all([again.held, late, ...onlyCalls])
    t.same(order, ['call 1', 'call 2', 'call 3', 'call 4', 'mail 3', 'call 5'], 'four calls, then the mail')
  },
)

/** A transaction holding the connection until `release()`: whatever is queued meanwhile waits behind it. */
function holdConnection(db: Db): { release: () => void; held: Promise<void> } {
  let release: () => void = () => undefined
  const gate = new Promise<void>((resolve) => (release = resolve))
  return { release, held: db.transaction(() => gate) }
}

void t.test('grouped transactions queued behind a busy connection commit together', async (t) => {
  const db = await open(t, join(t.testdir(), 'group.db'))
  await db.exec('CREATE TABLE x (v TEXT UNIQUE)')
  const { release, held: holder } = holdConnection(db)
  let running = 0
  let mostRunning = 0
  const member = (v: string) =>
    db.groupedTransaction(async () => {
      running++
      mostRunning = Math.max(mostRunning, running)
      await db.run('INSERT INTO x VALUES (?)', [v])
      await new Promise((resolve) => setImmediate(resolve))
      running--
      return v
    })
  const results = Promise.all(['a', 'b', 'c', 'd'].map(member))
  release()
  await holder
  t.same(await results, ['a', 'b', 'c', 'd'], 'each body gets its own result')
  t.equal(mostRunning, 4, 'the four bodies ran side by side, in one transaction')
  const rows = await db.all<{ v: string }>('SELECT v FROM x ORDER BY v')
  t.same(
    rows.map((r) => r.v),
    ['a', 'b', 'c', 'd'],
  )
  t.equal(
    await db.groupedTransaction(() => Promise.resolve('alone')),
    'alone',
    'on an idle connection it runs at once',
  )
})

void t.test('a failing body of a group fails alone; the others commit', async (t) => {
  const db = await open(t, join(t.testdir(), 'group-fail.db'))
  await db.exec("CREATE TABLE x (v TEXT UNIQUE); INSERT INTO x VALUES ('taken')")
  const { release, held: holder } = holdConnection(db)
  const insert = (v: string, also?: string) =>
    db.groupedTransaction(async () => {
      await db.run('INSERT INTO x VALUES (?)', [v])
      if (also !== undefined) await db.run('INSERT INTO x VALUES (?)', [also])
      return v
    })
  const ok1 = insert('one')
  const bad = insert('half', 'taken')
  const ok2 = insert('two')
  const failed = t.rejects(bad, StoreError, 'the failing body gets its own error')
  release()
  await holder
  t.equal(await ok1, 'one')
  t.equal(await ok2, 'two')
  await failed
  const rows = await db.all<{ v: string }>('SELECT v FROM x ORDER BY v')
  t.same(
    rows.map((r) => r.v),
    ['one', 'taken', 'two'],
    'nothing of the failing body, everything of the others',
  )
})
