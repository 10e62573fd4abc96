import t from 'tap'
import { tmpStore } from './tmp-store.js'

void t.test('listByMwiAccount finds enabled boxes whose mwiAccounts may list the account', async (t) => {
  const { store } = await tmpStore(t)
  await store.domains.ensure('example.com', { mode: 'dual', autoProvision: true, timezone: 'UTC' })
  const create = (id: string, mwiAccounts: string[], enabled = true) =>
    store.mailboxes.create({ domain: 'example.com', id, kind: 'personal', mwiAccounts, enabled })
  const plain = await create('100', ['2000@example.com'])
  const spelled = await create('101', ['sip:2000@Example.COM;user=phone', '3000@example.com'])
  await create('102', ['2000@example.com'], false)
  await create('103', ['2000@example.org', '20000@example.com.au'])
  const wider = await create('104', ['12000@example.com'])
  await create('105', [])

  const ids = async (account: string) =>
    (await store.mailboxes.listByMwiAccount(account)).map((box) => box.id).sort()
  t.same(await ids('2000@example.com'), ['100', '101', '104'], 'every spelling; disabled box left out')
  t.same(
    (await store.mailboxes.listByMwiAccount('3000@example.com')).map((b) => b.rowId),
    [spelled.rowId],
  )
  t.same(await ids('2000@EXAMPLE.com'), ['100', '101', '104'], 'case-insensitive like SIP host names')
  t.same(await ids('9999@example.com'), [], 'none')

  const boxes = await store.mailboxes.listByMwiAccount('12000@example.com')
  t.equal(boxes.length, 1)
  t.same(boxes[0], await store.mailboxes.findByRowId(wider.rowId), 'whole Mailbox objects')
  t.same(await store.mailboxes.findByRowId(plain.rowId).then((b) => b?.mwiAccounts), ['2000@example.com'])
})

void t.test('listByMwiAccount treats % and _ in the account as plain characters', async (t) => {
  const { store } = await tmpStore(t)
  await store.domains.ensure('example.com', { mode: 'dual', autoProvision: true, timezone: 'UTC' })
  await store.mailboxes.create({
    domain: 'example.com',
    id: '100',
    kind: 'personal',
    mwiAccounts: ['2000@example.com'],
  })
  await store.mailboxes.create({
    domain: 'example.com',
    id: '101',
    kind: 'personal',
    mwiAccounts: ['a%b_c@example.com'],
  })
  t.same(await store.mailboxes.listByMwiAccount('2_00@example.com'), [], '_ is not a wildcard')
  t.same(await store.mailboxes.listByMwiAccount('%@example.com'), [], '% is not a wildcard')
  t.same(
    (await store.mailboxes.listByMwiAccount('a%b_c@example.com')).map((b) => b.id),
    ['101'],
    'but matches itself',
  )
})
