import t from 'tap'
import { silentLogger } from '../../lib/log.js'
import { MwiService } from '../../lib/mwi/mwi-service.js'
import type { Store } from '../../lib/store/index.js'
import { EslConnectionError } from '../../lib/esl/errors.js'
import { addBox, addMessages, headersOf, mwiStore, RecordingLink } from './fixture.js'

function service(store: Store, link = new RecordingLink()): { mwi: MwiService; link: RecordingLink } {
  let tick = 0
  const mwi = new MwiService({
    link,
    store,
    log: silentLogger(),
    monotonicNow: () => (tick += 1),
  })
  return { mwi, link }
}

/** Shared box 800 lights 101 and 102; 101 also has its own box. */
async function sharedSetup(store: Store) {
  const own101 = await addBox(store, '101')
  await addMessages(store, own101, 1)
  const sales = await addBox(store, '800', {
    kind: 'general',
    mwiAccounts: ['101@pbx.test', 'sip:102@pbx.test'],
  })
  await addMessages(store, sales, 1)
  await addMessages(store, sales, 1, { urgent: true })
  await addMessages(store, sales, 1, { saved: true })
  return { own101, sales }
}

void t.test('a change of a shared box lights its own account and every extra account', async (t) => {
  const store = await mwiStore(t)
  const { sales } = await sharedSetup(store)
  const { mwi, link } = service(store)
  await mwi.refresh(sales, 'NEW')
  t.same(
    link.sent.map((e) => [e.name, headersOf(e)['MWI-Message-Account'], headersOf(e)['MWI-Voice-Message']]),
    [
      ['MESSAGE_WAITING', 'sip:800@pbx.test', '2/1 (1/0)'],
      ['MESSAGE_WAITING', 'sip:101@pbx.test', '3/1 (1/0)'],
      ['MESSAGE_WAITING', 'sip:102@pbx.test', '2/1 (1/0)'],
    ],
    '101 shows its own box plus box 800; 102 shows box 800',
  )
  t.same(link.sent[0]?.headers, [
    ['MWI-Messages-Waiting', 'yes'],
    ['MWI-Message-Account', 'sip:800@pbx.test'],
    ['MWI-Voice-Message', '2/1 (1/0)'],
    ['Update-Reason', 'NEW'],
  ])
  t.ok(
    link.sent.every((e) => e.node === undefined),
    'a push goes to every connected node',
  )
  t.equal(mwi.latency().count, 1, 'the refresh latency was recorded')
})

void t.test('a change of the personal box gives 101 the same summed lamp (no flip-flop)', async (t) => {
  const store = await mwiStore(t)
  const { own101 } = await sharedSetup(store)
  const { mwi, link } = service(store)
  await mwi.refresh(own101, 'READ')
  t.same(
    link.sent.map((e) => headersOf(e)),
    [
      {
        'MWI-Messages-Waiting': 'yes',
        'MWI-Message-Account': 'sip:101@pbx.test',
        'MWI-Voice-Message': '3/1 (1/0)',
        'Update-Reason': 'READ',
      },
    ],
  )
})

void t.test('MESSAGE_QUERY is answered on the asking node with the echoed VM-* headers', async (t) => {
  const store = await mwiStore(t)
  await sharedSetup(store)
  const { link } = service(store)
  link.emit(
    'MESSAGE_QUERY',
    [
      ['Event-Name', 'MESSAGE_QUERY'],
      ['Message-Account', 'sip:101@pbx.test'],
      ['VM-Sofia-Profile', 'internal'],
      ['VM-sub-call-id', '1-26344@192.0.2.10'],
    ],
    'fs2:8021',
  )
  await link.waitForSent(1)
  t.same(link.sent[0], {
    name: 'MESSAGE_WAITING',
    node: 'fs2:8021',
    headers: [
      ['MWI-Messages-Waiting', 'yes'],
      ['MWI-Message-Account', 'sip:101@pbx.test'],
      ['MWI-Voice-Message', '3/1 (1/0)'],
      ['Sofia-Profile', 'internal'],
      ['sub-call-id', '1-26344@192.0.2.10'],
    ],
  })
})

void t.test('a query for an account no box lights is answered "no", account verbatim', async (t) => {
  const store = await mwiStore(t)
  await sharedSetup(store)
  const { link } = service(store)
  link.emit('MESSAGE_QUERY', [
    ['Message-Account', 'sip:5001@PBX.test'],
    ['VM-Sofia-Profile', 'internal'],
    ['VM-Call-ID', 'abc@192.0.2.10'],
  ])
  link.emit('MESSAGE_QUERY', [['Message-Account', 'not an account']])
  link.emit('MESSAGE_QUERY', [['VM-Call-ID', 'no account at all']])
  await link.waitForSent(2)
  await new Promise((r) => setImmediate(r))
  t.equal(link.sent.length, 2, 'a query without Message-Account gets no answer')
  const byAccount = (a: string) => link.sent.find((e) => headersOf(e)['MWI-Message-Account'] === a)
  t.same(byAccount('sip:5001@PBX.test')?.headers, [
    ['MWI-Messages-Waiting', 'no'],
    ['MWI-Message-Account', 'sip:5001@PBX.test'],
    ['MWI-Voice-Message', '0/0 (0/0)'],
    ['Sofia-Profile', 'internal'],
    ['Call-ID', 'abc@192.0.2.10'],
  ])
  t.equal(
    headersOf(link.sent[1])['MWI-Messages-Waiting'],
    'no',
    'an unparseable account is answered "no" too',
  )
})

void t.test('bursts are coalesced: one push in flight, one follow-up with the latest counts', async (t) => {
  const store = await mwiStore(t)
  const box = await addBox(store, '100')
  const { mwi, link } = service(store)
  link.hold()
  const first = mwi.refresh(box, 'NEW')
  await link.waitForSent(1)
  await addMessages(store, box, 2)
  const more = [mwi.refresh(box, 'NEW'), mwi.refresh(box, 'NEW'), mwi.refresh(box, 'SAVE')]
  link.release()
  await Promise.all([first, ...more])
  t.equal(link.sent.length, 2, 'four refreshes, two pushes')
  t.equal(headersOf(link.sent[0])['MWI-Voice-Message'], '0/0 (0/0)')
  t.equal(headersOf(link.sent[1])['MWI-Voice-Message'], '2/0 (0/0)', 'the follow-up read fresh counts')
  t.equal(headersOf(link.sent[1])['Update-Reason'], 'SAVE', 'with the latest reason')
  t.equal(mwi.latency().count, 4, 'every caller got a latency sample')
  await mwi.refresh(box, 'READ')
  t.equal(link.sent.length, 3, 'after the burst, the next refresh pushes again')
})

void t.test('link failures never reach the caller', async (t) => {
  const store = await mwiStore(t)
  const box = await addBox(store, '100')
  const { mwi, link } = service(store)
  link.failWith = new EslConnectionError('FreeSWITCH went away')
  await t.resolves(mwi.refresh(box, 'NEW'), 'refresh resolves although sendevent failed')
  t.equal(mwi.latency().count, 0, 'a failed push is not a latency sample')
  link.emit('MESSAGE_QUERY', [['Message-Account', 'sip:100@pbx.test']])
  await link.waitForSent(2)
  t.same(await mwi.announceAll('RESYNC'), { boxes: 1, events: 0 }, 'announce counts only acknowledged events')

  link.failWith = undefined
  link.connected = false
  const before = link.sent.length
  await mwi.refresh(box, 'NEW')
  t.equal(link.sent.length, before, 'nothing is attempted while no node is connected')
})

void t.test('a store failure is logged and swallowed; a query is still answered', async (t) => {
  const store = await mwiStore(t)
  const box = await addBox(store, '100')
  const { mwi, link } = service(store)
  await store.close()
  await t.resolves(mwi.refresh(box, 'NEW'))
  t.same(await mwi.announceAll('RESYNC'), { boxes: 0, events: 0 })
  link.emit('MESSAGE_QUERY', [['Message-Account', 'sip:100@pbx.test']])
  await link.waitForSent(1)
  t.equal(headersOf(link.sent[0])['MWI-Messages-Waiting'], 'no', 'answered with zeros rather than not at all')
})

void t.test('a node that connects gets every lamp, only that node', async (t) => {
  const store = await mwiStore(t)
  await sharedSetup(store)
  const off = await addBox(store, '900', { enabled: false })
  await addMessages(store, off, 1)
  await addBox(store, '102')
  const { mwi, link } = service(store)
  link.connect('fs2:8021')
  await link.waitForSent(3)
  const result = await mwi.announceAll('RESYNC')
  t.same(result, { boxes: 3, events: 3 }, 'boxes 101, 102 and 800; the disabled box 900 is left out')
  const connectEvents = link.sent.filter((e) => headersOf(e)['Update-Reason'] === 'CONNECT')
  t.same(
    connectEvents
      .map((e) => [e.node, headersOf(e)['MWI-Message-Account'], headersOf(e)['MWI-Voice-Message']])
      .sort(),
    [
      ['fs2:8021', 'sip:101@pbx.test', '3/1 (1/0)'],
      ['fs2:8021', 'sip:102@pbx.test', '2/1 (1/0)'],
      ['fs2:8021', 'sip:800@pbx.test', '2/1 (1/0)'],
    ],
    'each account once, with the same summed counts as a push',
  )
})

void t.test('unified mode: phones follow the unified box', async (t) => {
  const store = await mwiStore(t, 'unified', '800')
  const unified = await addBox(store, '800', { kind: 'general' })
  await addMessages(store, unified, 2)
  const alice = await addBox(store, '100')
  await addMessages(store, alice, 1, { saved: true })
  const { mwi, link } = service(store)

  link.emit('MESSAGE_QUERY', [
    ['Message-Account', 'sip:5001@pbx.test'],
    ['VM-Call-ID', 'c1'],
  ])
  link.emit('MESSAGE_QUERY', [
    ['Message-Account', 'sip:101@pbx.test'],
    ['VM-Call-ID', 'c2'],
  ])
  await link.waitForSent(2)
  t.same(
    link.sent.map((e) => [headersOf(e)['MWI-Message-Account'], headersOf(e)['MWI-Voice-Message']]),
    [
      ['sip:5001@pbx.test', '2/0 (0/0)'],
      ['sip:101@pbx.test', '2/0 (0/0)'],
    ],
    'the feature code and a phone without a box show the unified box',
  )

  link.sent.length = 0
  await mwi.refresh(unified, 'NEW')
  t.same(
    link.sent.map((e) => [headersOf(e)['MWI-Message-Account'], headersOf(e)['MWI-Voice-Message']]),
    [
      ['sip:800@pbx.test', '2/0 (0/0)'],
      ['sip:100@pbx.test', '2/1 (0/0)'],
      ['sip:5001@pbx.test', '2/0 (0/0)'],
      ['sip:101@pbx.test', '2/0 (0/0)'],
    ],
    'a unified-box change reaches every box number and every account that asked; 100 adds its own box',
  )
})

void t.test('after stop(), queries and connects are ignored', async (t) => {
  const store = await mwiStore(t)
  await addBox(store, '100')
  const { mwi, link } = service(store)
  mwi.stop()
  link.emit('MESSAGE_QUERY', [['Message-Account', 'sip:100@pbx.test']])
  link.connect('fs1:8021')
  await new Promise((r) => setTimeout(r, 20))
  t.equal(link.sent.length, 0)
})

void t.test('the service needs a store or a directory', (t) => {
  t.throws(() => new MwiService({ link: new RecordingLink(), log: silentLogger() }), TypeError)
  t.end()
})

void t.test('latency samples are exposed for the benchmark', async (t) => {
  const store = await mwiStore(t)
  const box = await addBox(store, '100')
  const { mwi } = service(store)
  await mwi.refresh(box, 'NEW')
  await mwi.refresh(box, 'READ')
  t.equal(mwi.latencySamples().length, 2)
  t.ok(
    mwi.latencySamples().every((ms) => ms >= 0),
    'durations, never negative',
  )
})

void t.test('a box lighting many accounts: the snapshot path gives the same lamps as queries', async (t) => {
  const store = await mwiStore(t)
  const members = Array.from({ length: 10 }, (_, i) => `${201 + i}@pbx.test`)
  const floor = await addBox(store, '900', { kind: 'general', mwiAccounts: members })
  await addMessages(store, floor, 1)
  const own205 = await addBox(store, '205')
  await addMessages(store, own205, 2, { urgent: true })
  const other = await addBox(store, '901', { kind: 'general', mwiAccounts: ['205@pbx.test'] })
  await addMessages(store, other, 1, { saved: true })
  const { mwi, link } = service(store, new RecordingLink())
  await mwi.refresh(floor, 'NEW')
  const pushed = new Map(
    link.sent.map((e) => [headersOf(e)['MWI-Message-Account'], headersOf(e)['MWI-Voice-Message']]),
  )
  t.equal(pushed.size, 11, 'own account and ten members')
  t.equal(pushed.get('sip:205@pbx.test'), '3/1 (2/0)', '205: box 900 + its own box + box 901')
  t.equal(pushed.get('sip:201@pbx.test'), '1/0 (0/0)')

  link.sent.length = 0
  for (const account of pushed.keys()) link.emit('MESSAGE_QUERY', [['Message-Account', account as string]])
  await link.waitForSent(11)
  const answered = new Map(
    link.sent.map((e) => [headersOf(e)['MWI-Message-Account'], headersOf(e)['MWI-Voice-Message']]),
  )
  t.same(answered, pushed, 'every query answer matches what was pushed')
})
