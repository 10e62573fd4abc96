import t from 'tap'
import type { Config } from '../../lib/config/types.js'
import { applyDeclarations } from '../../lib/store/declarations.js'
import { StoreConflictError } from '../../lib/store/errors.js'
import { hashPin, verifyPin } from '../../lib/store/pin.js'
import { fastScrypt, openTestStore } from './fixture.js'

type Declared = Pick<Config, 'domains' | 'mailboxes'>

const config: Declared = {
  domains: {
    'pbx.example.com': {
      mode: 'dual',
      unifiedMailbox: '800',
      operator: '0',
      autoProvision: true,
      timezone: 'America/Chicago',
    },
  },
  mailboxes: [
    {
      id: '100',
      domain: 'pbx.example.com',
      kind: 'personal',
      name: 'Alice',
      pin: '4821',
      email: ['alice@example.com'],
    },
    {
      id: '800',
      domain: 'pbx.example.com',
      kind: 'general',
      name: 'Sales',
      email: ['sales@example.com', 'boss@example.com'],
      mwiAccounts: ['101@pbx.example.com', '102@pbx.example.com'],
      quotaBytes: 20971520,
    },
    { id: '200', domain: 'branch.example', kind: 'personal' },
  ],
}

void t.test('creates declared domains and boxes once', async (t) => {
  const { store } = await openTestStore(t)
  const first = await applyDeclarations(store, config, { scrypt: fastScrypt })
  t.same(first, {
    created: [
      'pbx.example.com',
      '100@pbx.example.com',
      '800@pbx.example.com',
      'branch.example',
      '200@branch.example',
    ],
    updated: [],
  })
  t.same(await store.domains.get('pbx.example.com'), {
    name: 'pbx.example.com',
    ...config.domains['pbx.example.com'],
  })
  t.match(await store.domains.get('branch.example'), { mode: 'dual', autoProvision: true, timezone: 'UTC' })
  const alice = (await store.mailboxes.find('pbx.example.com', '100'))!
  t.match(alice, { name: 'Alice', email: ['alice@example.com'], pinTemporary: true })
  t.equal(await verifyPin('4821', alice.pinHash!), true, 'the declared PIN is the initial temporary PIN')
  t.match(await store.mailboxes.find('pbx.example.com', '800'), {
    kind: 'general',
    quotaBytes: 20971520,
    mwiAccounts: ['101@pbx.example.com', '102@pbx.example.com'],
  })
  const noPin = (await store.mailboxes.find('branch.example', '200'))!
  t.notOk('pinHash' in noPin, 'no declared PIN: none set (first login forces one)')
  t.equal(noPin.pinTemporary, false)
  t.match((await store.audit.listRecent(1))[0], { actor: 'config', action: 'box.created' })

  const again = await applyDeclarations(store, config, { scrypt: fastScrypt })
  t.same(again, { created: [], updated: [] }, 'a reload with nothing changed changes nothing')
})

void t.test('reload applies declared settings but never the PIN over the owner one', async (t) => {
  const { store } = await openTestStore(t)
  await applyDeclarations(store, config, { scrypt: fastScrypt })
  const alice = (await store.mailboxes.find('pbx.example.com', '100'))!
  const ownerHash = await hashPin('97531', fastScrypt)
  await store.mailboxes.setPin(alice.rowId, ownerHash, false)
  await store.mailboxes.update(alice.rowId, { attachAudio: false, name: 'Alice B' })

  const changed: Declared = {
    domains: {
      'pbx.example.com': { mode: 'unified', unifiedMailbox: '800', autoProvision: false, timezone: 'UTC' },
    },
    mailboxes: [
      { id: '100', domain: 'pbx.example.com', kind: 'personal', name: 'Alice', pin: '2468', enabled: false },
      {
        id: '800',
        domain: 'pbx.example.com',
        kind: 'general',
        name: 'Sales',
        quotaBytes: 1000,
        timezone: 'Europe/Paris',
      },
    ],
  }
  const summary = await applyDeclarations(store, changed, { scrypt: fastScrypt })
  t.same(summary, { created: [], updated: ['pbx.example.com', '100@pbx.example.com', '800@pbx.example.com'] })
  const after = (await store.mailboxes.find('pbx.example.com', '100'))!
  t.equal(after.pinHash, ownerHash, "the owner's PIN is untouched")
  t.equal(after.pinTemporary, false)
  t.equal(after.name, 'Alice', 'declared name reapplied')
  t.equal(after.enabled, false, 'declared enabled applied')
  t.equal(after.attachAudio, false, 'a setting the declaration leaves out keeps its value')
  t.same(after.email, ['alice@example.com'], 'email not declared any more: kept')
  t.match(await store.mailboxes.find('pbx.example.com', '800'), {
    quotaBytes: 1000,
    timezone: 'Europe/Paris',
  })
  t.match(await store.domains.get('pbx.example.com'), { mode: 'unified', autoProvision: false })
  t.notOk('operator' in (await store.domains.get('pbx.example.com'))!, 'operator no longer declared: cleared')
  t.match((await store.audit.listRecent(1))[0], {
    action: 'box.updated',
    detail: { settings: ['quotaBytes', 'timezone'] },
  })
  t.ok(await store.mailboxes.find('branch.example', '200'), 'boxes no longer declared are never deleted')
})

void t.test('an existing box gets settings, not the declared PIN; bad ids are refused', async (t) => {
  const { store } = await openTestStore(t)
  await store.domains.ensure('pbx.example.com', { mode: 'dual', autoProvision: true, timezone: 'UTC' })
  await store.mailboxes.create({ domain: 'pbx.example.com', id: '100', kind: 'personal' })
  const summary = await applyDeclarations(
    store,
    {
      domains: {},
      mailboxes: [{ id: '100', domain: 'pbx.example.com', kind: 'personal', name: 'A', pin: '4821' }],
    },
    { scrypt: fastScrypt },
  )
  t.same(summary, { created: [], updated: ['100@pbx.example.com'] })
  t.notOk(
    'pinHash' in (await store.mailboxes.find('pbx.example.com', '100'))!,
    'no PIN set on an existing box',
  )
  await t.rejects(
    applyDeclarations(store, {
      domains: {},
      mailboxes: [{ id: '1x', domain: 'pbx.example.com', kind: 'personal' }],
    }),
    StoreConflictError,
  )
})
