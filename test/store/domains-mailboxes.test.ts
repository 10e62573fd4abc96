import t from 'tap'
import { StoreConflictError } from '../../lib/store/errors.js'
import { assertMailboxId } from '../../lib/store/mailboxes.js'
import { makeBox, openTestStore } from './fixture.js'

void t.test('domains: get, upsert, ensure, list', async (t) => {
  const { store, clock } = await openTestStore(t)
  t.equal(await store.domains.get('pbx.example.com'), undefined, 'unknown domain is undefined')
  const created = await store.domains.upsert({
    name: 'pbx.example.com',
    mode: 'unified',
    unifiedMailbox: '800',
    operator: '0',
    autoProvision: false,
    timezone: 'America/Chicago',
  })
  t.same(created, {
    name: 'pbx.example.com',
    mode: 'unified',
    unifiedMailbox: '800',
    operator: '0',
    autoProvision: false,
    timezone: 'America/Chicago',
  })
  clock.advance(1000)
  const replaced = await store.domains.upsert({
    name: 'pbx.example.com',
    mode: 'dual',
    autoProvision: true,
    timezone: 'UTC',
  })
  t.same(
    replaced,
    { name: 'pbx.example.com', mode: 'dual', autoProvision: true, timezone: 'UTC' },
    'upsert replaces all',
  )
  const ensured = await store.domains.ensure('pbx.example.com', {
    mode: 'unified',
    autoProvision: false,
    timezone: 'X',
  })
  t.equal(ensured.mode, 'dual', 'ensure leaves an existing domain alone')
  await store.domains.ensure('a.example', { mode: 'dual', autoProvision: true, timezone: 'UTC' })
  t.same(
    (await store.domains.list()).map((d) => d.name),
    ['a.example', 'pbx.example.com'],
  )
  await t.rejects(
    store.domains.upsert({ name: 'bad', mode: 'weird' as 'dual', autoProvision: true, timezone: 'UTC' }),
    'the schema refuses an unknown mode',
  )
})

void t.test('mailboxes: create with defaults, find, list', async (t) => {
  const { store, clock } = await openTestStore(t)
  const box = await makeBox(store, '100')
  t.match(box, {
    domain: 'example.com',
    id: '100',
    kind: 'personal',
    name: '',
    pinTemporary: false,
    email: [],
    attachAudio: true,
    keepAfterEmail: true,
    notifyFull: true,
    mwiAccounts: [],
    activeGreeting: 'unavailable',
    enabled: true,
    fullNotified: false,
    createdAt: clock.now(),
  })
  t.notOk(
    'pinHash' in box || 'quotaBytes' in box || 'timezone' in box || 'lockedUntil' in box,
    'unset = absent',
  )
  t.same(await store.mailboxes.find('example.com', '100'), box, 'find by (domain, id)')
  t.same(await store.mailboxes.findByRowId(box.rowId), box, 'find by row id')
  t.equal(await store.mailboxes.find('example.com', '101'), undefined)
  t.equal(await store.mailboxes.find('other.example', '100'), undefined)
  t.equal(await store.mailboxes.findByRowId(9999), undefined)

  const general = await store.mailboxes.create({
    domain: 'example.com',
    id: '800',
    kind: 'general',
    name: 'Sales',
    email: ['sales@example.com', 'boss@example.com'],
    mwiAccounts: ['101@example.com'],
    quotaBytes: 20971520,
    timezone: 'Europe/Paris',
    attachAudio: false,
    keepAfterEmail: false,
    notifyFull: false,
    enabled: false,
    pinHash: 'scrypt$x',
    pinTemporary: true,
  })
  t.match(general, {
    kind: 'general',
    name: 'Sales',
    email: ['sales@example.com', 'boss@example.com'],
    mwiAccounts: ['101@example.com'],
    quotaBytes: 20971520,
    timezone: 'Europe/Paris',
    attachAudio: false,
    keepAfterEmail: false,
    notifyFull: false,
    enabled: false,
    pinHash: 'scrypt$x',
    pinTemporary: true,
  })
  await makeBox(store, '12', 'example.com')
  await makeBox(store, '100', 'b.example')
  t.same(
    (await store.mailboxes.list('example.com')).map((b) => b.id),
    ['12', '100', '800'],
    'numeric order within a domain',
  )
  t.same(
    (await store.mailboxes.list()).map((b) => `${b.id}@${b.domain}`),
    ['100@b.example', '12@example.com', '100@example.com', '800@example.com'],
  )
})

void t.test('mailboxes: create refuses bad ids, kinds, duplicates and unknown domains', async (t) => {
  const { store } = await openTestStore(t)
  await makeBox(store, '100')
  for (const id of ['1', '12345678901', '10a', '../1', '', ' 100', '１００']) {
    await t.rejects(
      store.mailboxes.create({ domain: 'example.com', id, kind: 'personal' }),
      StoreConflictError,
      `id ${JSON.stringify(id)} refused`,
    )
  }
  t.doesNotThrow(() => assertMailboxId('10'))
  t.doesNotThrow(() => assertMailboxId('1234567890'))
  await t.rejects(
    store.mailboxes.create({ domain: 'example.com', id: '200', kind: 'shared' as 'general' }),
    StoreConflictError,
  )
  await t.rejects(store.mailboxes.create({ domain: 'example.com', id: '100', kind: 'general' }), {
    name: 'StoreConflictError',
    message: 'mailbox 100@example.com already exists',
  })
  await t.rejects(store.mailboxes.create({ domain: 'nowhere.example', id: '100', kind: 'personal' }), {
    name: 'StoreConflictError',
    message: 'unknown domain nowhere.example',
  })
})

void t.test('mailboxes: partial update, setters, lock, remove', async (t) => {
  const { store, clock } = await openTestStore(t)
  const b = await makeBox(store)
  clock.advance(5000)
  const updated = await store.mailboxes.update(b.rowId, {
    name: 'Alice',
    email: ['a@example.com'],
    quotaBytes: 42,
  })
  t.equal(updated.name, 'Alice')
  t.same(updated.email, ['a@example.com'])
  t.equal(updated.quotaBytes, 42)
  t.equal(updated.attachAudio, true, 'keys left out are untouched')
  t.equal(updated.updatedAt, clock.now(), 'updated_at from the clock')
  const cleared = await store.mailboxes.update(b.rowId, { quotaBytes: null, timezone: null, kind: 'general' })
  t.notOk('quotaBytes' in cleared, 'null clears the quota back to the default')
  t.equal(cleared.kind, 'general')
  await t.rejects(store.mailboxes.update(b.rowId, { kind: 'x' as 'general' }), StoreConflictError)
  await t.rejects(store.mailboxes.update(9999, { name: 'x' }), StoreConflictError, 'unknown box')

  await store.mailboxes.setPin(b.rowId, 'scrypt$hash', true)
  let now = (await store.mailboxes.findByRowId(b.rowId))!
  t.equal(now.pinHash, 'scrypt$hash')
  t.equal(now.pinTemporary, true)
  await store.mailboxes.setPin(b.rowId, undefined, false)
  now = (await store.mailboxes.findByRowId(b.rowId))!
  t.notOk('pinHash' in now, 'PIN cleared')

  await store.mailboxes.setActiveGreeting(b.rowId, 'busy')
  await store.mailboxes.setFullNotified(b.rowId, true)
  await store.mailboxes.lock(b.rowId, clock.now() + 60_000)
  await store.mailboxes.setEnabled(b.rowId, false)
  now = (await store.mailboxes.findByRowId(b.rowId))!
  t.match(now, {
    activeGreeting: 'busy',
    fullNotified: true,
    lockedUntil: clock.now() + 60_000,
    enabled: false,
  })
  await store.mailboxes.unlock(b.rowId)
  await store.mailboxes.setEnabled(b.rowId, true)
  await store.mailboxes.setFullNotified(b.rowId, false)
  now = (await store.mailboxes.findByRowId(b.rowId))!
  t.match(now, { fullNotified: false, enabled: true })
  t.notOk('lockedUntil' in now, 'unlocked')
  await t.rejects(store.mailboxes.setActiveGreeting(b.rowId, 'nope' as 'busy'), StoreConflictError)
  await t.rejects(
    store.db.run("UPDATE mailboxes SET active_greeting = 'nope'"),
    'the schema refuses an unknown greeting too',
  )
  await t.rejects(store.mailboxes.lock(9999, 1), StoreConflictError)

  await store.messages.insert({
    uuid: 'm1',
    mailboxRowId: b.rowId,
    callerIdName: '',
    callerIdNumber: '',
    durationMs: 1,
    sizeBytes: 1,
    file: 'recordings/example.com/100/m1.wav',
  })
  await store.greetings.set(b.rowId, 'name', {
    file: 'recordings/example.com/100/name.wav',
    sizeBytes: 1,
    durationMs: 1,
  })
  await store
    .lockout({ pinTriesPerCall: 3, lockoutFailures: 10, failureWindowMinutes: 30, lockoutMinutes: 30 })
    .registerFailure(b, 'remote')
  const files = await store.mailboxes.remove(b.rowId)
  t.same(
    files?.sort(),
    ['recordings/example.com/100/m1.wav', 'recordings/example.com/100/name.wav'],
    'files to delete',
  )
  t.equal(await store.mailboxes.findByRowId(b.rowId), undefined, 'row gone')
  t.equal(await store.messages.get('m1'), undefined, 'messages cascade')
  t.same(await store.greetings.list(b.rowId), [], 'greetings cascade')
  t.equal(await store.loginFailures.countSince(b.rowId, 0), 0, 'failures cascade')
  t.equal(await store.mailboxes.remove(b.rowId), undefined, 'removing again resolves undefined')
})

void t.test('mailboxes: the full-box notice is claimed once per episode', async (t) => {
  const { store } = await openTestStore(t)
  const box = await makeBox(store, '100')
  const claims = await Promise.all([1, 2, 3].map(() => store.mailboxes.claimFullNotice(box.rowId)))
  t.same(claims.filter(Boolean).length, 1, 'three callers at once: exactly one claim')
  t.equal((await store.mailboxes.findByRowId(box.rowId))?.fullNotified, true, 'the episode is recorded')
  t.equal(await store.mailboxes.claimFullNotice(box.rowId), false, 'no second claim in the same episode')
  await store.mailboxes.setFullNotified(box.rowId, false)
  t.equal(await store.mailboxes.claimFullNotice(box.rowId), true, 're-armed: the next episode is claimed')
  t.equal(await store.mailboxes.claimFullNotice(9999), false, 'an unknown box claims nothing')
})
