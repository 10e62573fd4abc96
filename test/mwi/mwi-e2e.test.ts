import { readFileSync } from 'node:fs'
import type { Test } from 'tap'
import t from 'tap'
import { InboundLink } from '../../lib/esl/inbound.js'
import { silentLogger } from '../../lib/log.js'
import { MwiService } from '../../lib/mwi/mwi-service.js'
import { ManualClock } from '../../lib/clock.js'
import { openStore, type Store } from '../../lib/store/index.js'
import { FreeswitchSimulator, type InboundServer } from '../support/freeswitch/index.js'
import { addBox, addMessages, mwiStore } from './fixture.js'
import { FIXTURE_DIR } from '../support/fixtures.js'

const FIXTURES = FIXTURE_DIR

/** Poll (on the event loop, no sleeping on wall time) until `cond` holds; tap's timeout bounds it. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 2))
}

interface Node {
  sim: FreeswitchSimulator
  fs: InboundServer
}

async function fsNode(t: Test, seed: number): Promise<Node> {
  const sim = new FreeswitchSimulator({ seed, registrar: { domains: ['pbx.test'] } })
  t.teardown(() => sim.close())
  const fs = await sim.listen({ password: 'ClueCon' })
  return { sim, fs }
}

/** The daemon's MWI side: a real InboundLink to each node and MwiService over the real store. */
async function daemon(t: Test, store: Store, nodes: Node[]): Promise<{ mwi: MwiService; link: InboundLink }> {
  const link = new InboundLink(
    nodes.map(({ fs }) => ({ host: fs.host, port: fs.port, password: 'ClueCon' })),
    silentLogger(),
    { initialBackoffMs: 5, maxBackoffMs: 20 },
  )
  const mwi = new MwiService({ link, store, log: silentLogger() })
  t.teardown(() => link.close())
  link.start()
  // authCount rises at `auth`; `connected` only once MESSAGE_QUERY is subscribed (queries before that are lost,
  // as on real FreeSWITCH).
  await until(() => nodes.every(({ fs }) => fs.authCount > 0) && link.connected)
  return { mwi, link }
}

const messageWaiting = (fs: InboundServer) => fs.sentEvents.filter((e) => e.name === 'MESSAGE_WAITING')
const reason = (fs: InboundServer, r: string) =>
  messageWaiting(fs).filter((e) => e.headers.some(([k, v]) => k === 'Update-Reason' && v === r))

/** Box 1000 as in the captures: 3 new (1 urgent), 1 saved. */
async function box1000(store: Store) {
  const box = await addBox(store, '1000')
  await addMessages(store, box, 2)
  await addMessages(store, box, 1, { urgent: true })
  await addMessages(store, box, 1, { saved: true })
  return box
}

/** The `sendevent` frames the capture's client sent, as lines. */
function capturedSendevents(): string[][] {
  const text = readFileSync(`${FIXTURES}/mwi-query-session.txt`, 'utf8')
  return text
    .split('========')
    .map((frame) => frame.trim().split('\n'))
    .filter(
      (lines) => lines[0]?.startsWith('>>> CLIENT') === true && lines[1]?.startsWith('sendevent') === true,
    )
    .map((lines) => lines.slice(1).filter((l) => l !== ''))
}

/** The body of the last NOTIFY the phone received in the SIP capture (CRLF, cut at its Content-Length). */
function capturedNotifyBody(): string {
  const text = readFileSync(`${FIXTURES}/mwi-sip-trace.txt`, 'utf8')
  const notifies = text.split(/^-{20,}.*$/m).filter((m) => /NOTIFY sip:/.test(m))
  const last = notifies[notifies.length - 1] ?? ''
  const start = last.indexOf('\r\n\r\n') + 4
  const length = Number(/Content-Length: (\d+)/.exec(last)?.[1] ?? 0)
  return last.slice(start, start + length)
}

void t.test('MESSAGE_QUERY from REGISTER and SUBSCRIBE is answered exactly as in the capture', async (t) => {
  const store = await mwiStore(t)
  await box1000(store)
  const node = await fsNode(t, 1)
  await daemon(t, store, [node])
  await until(() => reason(node.fs, 'CONNECT').length === 1)
  const before = messageWaiting(node.fs).length

  node.sim.registrar.register({ user: '1000', domain: 'pbx.test', callId: '1-26344@192.0.2.10' })
  node.sim.registrar.subscribe({ user: '1000', domain: 'pbx.test', callId: '1-26344@192.0.2.10' })
  await until(() => messageWaiting(node.fs).length >= before + 2)
  await until(() => node.sim.registrar.notifies.length >= 2)

  const answers = messageWaiting(node.fs)
    .slice(before)
    .map((e) => [`sendevent ${e.name}`, ...e.headers.map(([k, v]) => `${k}: ${v}`)])
  const captured = capturedSendevents()
  t.equal(captured.length, 2, 'the capture holds two answers')
  t.same(answers, captured, 'same command, headers, order and raw values as the captured answers')

  const notifies = node.sim.registrar.notifies
  t.same(
    notifies.map((n) => [n.kind, n.callId]),
    [
      ['registration', '1-26344@192.0.2.10'],
      ['subscription', '1-26344@192.0.2.10'],
    ],
    'each answer reached exactly the asking registration, then the asking subscription',
  )
  const body =
    'Messages-Waiting: yes\r\nMessage-Account: sip:1000@pbx.test\r\nVoice-Message: 3/1 (1/0)\r\n\r\n'
  t.equal(notifies[1]?.body, body)
  t.equal(notifies[1]?.body, capturedNotifyBody(), 'byte for byte the NOTIFY body of the SIP capture')
  t.same(node.fs.violations, [], 'no sendevent the real FreeSWITCH would mishandle')
  t.same(node.sim.registrar.violations, [], 'every MESSAGE_WAITING valid for sofia')
})

void t.test('a query for an account no box lights gets a correct "no"', async (t) => {
  const store = await mwiStore(t)
  await box1000(store)
  const node = await fsNode(t, 2)
  await daemon(t, store, [node])
  await until(() => reason(node.fs, 'CONNECT').length === 1)
  node.sim.registrar.subscribe({
    user: '1000',
    domain: 'pbx.test',
    target: '5001@pbx.test',
    callId: 'sub-5001',
  })
  await until(() => node.sim.registrar.notifies.length >= 1)
  t.same(node.sim.registrar.notifies[0], {
    account: '5001@pbx.test',
    messagesWaiting: false,
    body: 'Messages-Waiting: no\r\nMessage-Account: sip:5001@pbx.test\r\nVoice-Message: 0/0 (0/0)\r\n\r\n',
    phone: 'sub:1000@pbx.test/sub-5001',
    kind: 'subscription',
    callId: 'sub-5001',
  })
  t.same(node.sim.registrar.violations, [])
})

void t.test(
  'a change of a shared box lights its own and its extra accounts, and the right phones',
  async (t) => {
    const store = await mwiStore(t)
    const sales = await addBox(store, '800', {
      kind: 'general',
      mwiAccounts: ['102@pbx.test', '103@pbx.test'],
    })
    const own103 = await addBox(store, '103')
    await addMessages(store, own103, 1, { saved: true })
    await addBox(store, '104')
    const node = await fsNode(t, 3)
    const { mwi } = await daemon(t, store, [node])
    await until(() => reason(node.fs, 'CONNECT').length === 4)

    const reg = node.sim.registrar
    reg.register({ user: '101', domain: 'pbx.test', callId: 'reg-101', mwiAccount: '800@pbx.test' })
    reg.register({ user: '102', domain: 'pbx.test', callId: 'reg-102' })
    reg.register({ user: '103', domain: 'pbx.test', callId: 'reg-103' })
    reg.register({ user: '104', domain: 'pbx.test', callId: 'reg-104' })
    await until(() => reg.notifies.length === 4)
    t.same(
      [...reg.lamps()].sort(),
      [
        ['reg:101@pbx.test/reg-101', false],
        ['reg:102@pbx.test/reg-102', false],
        ['reg:103@pbx.test/reg-103', false],
        ['reg:104@pbx.test/reg-104', false],
      ],
      'every phone asked on REGISTER and was told "no"',
    )

    await addMessages(store, sales, 1)
    await addMessages(store, sales, 1, { urgent: true })
    const sentBefore = messageWaiting(node.fs).length
    const notifiesBefore = reg.notifies.length
    await mwi.refresh(sales, 'NEW')
    t.same(
      messageWaiting(node.fs)
        .slice(sentBefore)
        .map((e) => e.headers),
      [
        [
          ['MWI-Messages-Waiting', 'yes'],
          ['MWI-Message-Account', 'sip:800@pbx.test'],
          ['MWI-Voice-Message', '2/0 (1/0)'],
          ['Update-Reason', 'NEW'],
        ],
        [
          ['MWI-Messages-Waiting', 'yes'],
          ['MWI-Message-Account', 'sip:102@pbx.test'],
          ['MWI-Voice-Message', '2/0 (1/0)'],
          ['Update-Reason', 'NEW'],
        ],
        [
          ['MWI-Messages-Waiting', 'yes'],
          ['MWI-Message-Account', 'sip:103@pbx.test'],
          ['MWI-Voice-Message', '2/1 (1/0)'],
          ['Update-Reason', 'NEW'],
        ],
      ],
      'own account, then each extra account; 103 also counts its own saved message',
    )
    await until(() => reg.notifies.length >= notifiesBefore + 3)
    const pushed = reg.notifies.slice(notifiesBefore)
    t.same(
      pushed.map((n) => [n.phone, n.body]).sort(),
      [
        [
          'reg:101@pbx.test/reg-101',
          'Messages-Waiting: yes\r\nMessage-Account: sip:800@pbx.test\r\nVoice-Message: 2/0 (1/0)\r\n\r\n',
        ],
        [
          'reg:102@pbx.test/reg-102',
          'Messages-Waiting: yes\r\nMessage-Account: sip:102@pbx.test\r\nVoice-Message: 2/0 (1/0)\r\n\r\n',
        ],
        [
          'reg:103@pbx.test/reg-103',
          'Messages-Waiting: yes\r\nMessage-Account: sip:103@pbx.test\r\nVoice-Message: 2/1 (1/0)\r\n\r\n',
        ],
      ],
      'phone 101 (mwi-account 800) lights for box 800, phones 102 and 103 through mwiAccounts; 104 stays dark',
    )
    t.equal(reg.lamps().get('reg:104@pbx.test/reg-104'), false)
    t.same(node.fs.violations, [])
    t.same(reg.violations, [])
    t.ok(mwi.latency().count >= 1, 'refresh latency measured')
  },
)

void t.test('after FreeSWITCH restarts, every box is re-announced', async (t) => {
  const store = await mwiStore(t)
  await box1000(store)
  const sales = await addBox(store, '800', { kind: 'general', mwiAccounts: ['101@pbx.test'] })
  await addMessages(store, sales, 1)
  const off = await addBox(store, '900', { enabled: false })
  await addMessages(store, off, 1)
  const node = await fsNode(t, 4)
  await daemon(t, store, [node])
  await until(() => reason(node.fs, 'CONNECT').length === 3)

  await node.fs.restart()
  await until(() => node.fs.authCount === 2)
  await until(() => reason(node.fs, 'CONNECT').length === 6)
  const again = reason(node.fs, 'CONNECT')
    .slice(3)
    .map((e) => Object.fromEntries(e.headers))
  t.same(
    again.map((h) => [h['MWI-Message-Account'], h['MWI-Messages-Waiting'], h['MWI-Voice-Message']]).sort(),
    [
      ['sip:1000@pbx.test', 'yes', '3/1 (1/0)'],
      ['sip:101@pbx.test', 'yes', '1/0 (0/0)'],
      ['sip:800@pbx.test', 'yes', '1/0 (0/0)'],
    ],
    'every enabled box and extra account again (the disabled box 900 is not announced)',
  )

  await node.fs.restart({ graceful: true })
  await until(() => node.fs.authCount === 3)
  await until(() => reason(node.fs, 'CONNECT').length === 9)
  t.pass('a graceful shutdown notice is followed by the same re-announce')
  t.same(node.fs.violations, [])
})

void t.test(
  'two FreeSWITCH nodes both receive every change; a query is answered where it was asked',
  async (t) => {
    const store = await mwiStore(t)
    const box = await box1000(store)
    const a = await fsNode(t, 5)
    const b = await fsNode(t, 6)
    const { mwi } = await daemon(t, store, [a, b])
    await until(() => reason(a.fs, 'CONNECT').length === 1 && reason(b.fs, 'CONNECT').length === 1)

    await mwi.refresh(box, 'READ')
    for (const { fs } of [a, b]) {
      t.same(reason(fs, 'READ')[0]?.headers, [
        ['MWI-Messages-Waiting', 'yes'],
        ['MWI-Message-Account', 'sip:1000@pbx.test'],
        ['MWI-Voice-Message', '3/1 (1/0)'],
        ['Update-Reason', 'READ'],
      ])
    }

    const sentOnA = messageWaiting(a.fs).length
    b.sim.registrar.subscribe({ user: '1000', domain: 'pbx.test', callId: 'on-b' })
    await until(() => b.sim.registrar.notifies.length === 1)
    t.equal(b.sim.registrar.notifies[0]?.callId, 'on-b', 'node b notified its subscriber')
    t.equal(messageWaiting(a.fs).length, sentOnA, 'node a got nothing for a query it did not send')
  },
)

void t.test('a link failure never throws, and the lamp is repaired when FreeSWITCH returns', async (t) => {
  const store = await mwiStore(t)
  const box = await addBox(store, '1000')
  const node = await fsNode(t, 7)
  const { mwi, link } = await daemon(t, store, [node])
  await until(() => reason(node.fs, 'CONNECT').length === 1)

  await node.fs.stop()
  await until(() => !link.connected)
  await addMessages(store, box, 1)
  await t.resolves(mwi.refresh(box, 'NEW'), 'refresh resolves with FreeSWITCH down')
  t.equal(reason(node.fs, 'NEW').length, 0, 'nothing could be sent')

  await node.fs.start()
  await until(() => reason(node.fs, 'CONNECT').length === 2)
  const last = reason(node.fs, 'CONNECT')[1]
  t.equal(
    last?.headers.find(([k]) => k === 'MWI-Voice-Message')?.[1],
    '1/0 (0/0)',
    'the reconnect announce carries the change made while FreeSWITCH was away',
  )
})

void t.test('unified domain: every phone, and the feature code, follows the unified box', async (t) => {
  const store = await mwiStore(t, 'unified', '800')
  const unified = await addBox(store, '800', { kind: 'general' })
  await addMessages(store, unified, 1)
  const node = await fsNode(t, 8)
  const { mwi } = await daemon(t, store, [node])
  await until(() => reason(node.fs, 'CONNECT').length === 1)

  const reg = node.sim.registrar
  reg.register({ user: '101', domain: 'pbx.test', callId: 'reg-101' })
  reg.subscribe({ user: '102', domain: 'pbx.test', target: '5001@pbx.test', callId: 'sub-102' })
  await until(() => reg.notifies.length === 2)
  t.same(
    reg.notifies.map((n) => [n.phone, n.body]),
    [
      [
        'reg:101@pbx.test/reg-101',
        'Messages-Waiting: yes\r\nMessage-Account: sip:101@pbx.test\r\nVoice-Message: 1/0 (0/0)\r\n\r\n',
      ],
      [
        'sub:102@pbx.test/sub-102',
        'Messages-Waiting: yes\r\nMessage-Account: sip:5001@pbx.test\r\nVoice-Message: 1/0 (0/0)\r\n\r\n',
      ],
    ],
    'a phone without a box and a phone subscribed to 5001 are told the unified box',
  )

  await addMessages(store, unified, 1)
  await mwi.refresh(unified, 'NEW')
  await until(() => reg.notifies.length === 4)
  t.same(
    reg.notifies
      .slice(2)
      .map((n) => [n.phone, n.account, n.body.split('\r\n')[2]])
      .sort(),
    [
      ['reg:101@pbx.test/reg-101', '101@pbx.test', 'Voice-Message: 2/0 (0/0)'],
      ['sub:102@pbx.test/sub-102', '5001@pbx.test', 'Voice-Message: 2/0 (0/0)'],
    ],
    'a change of the unified box reaches both phones (the accounts they asked about)',
  )
  t.same(reg.violations, [])
})

void t.test(
  'unified domain: phones learned from queries get their lamp back after a daemon restart',
  async (t) => {
    const store = await mwiStore(t, 'unified', '800')
    const unified = await addBox(store, '800', { kind: 'general' })
    await addMessages(store, unified, 1)
    const node = await fsNode(t, 9)
    const first = await daemon(t, store, [node])
    const reg = node.sim.registrar
    reg.register({ user: '101', domain: 'pbx.test', callId: 'reg-101' })
    await until(() => reg.notifies.length === 1)
    first.mwi.stop()
    await first.link.close() // the daemon is gone; FreeSWITCH and the phone stay

    // The restarted daemon: a new connection to the same database, a new link. A message arrived meanwhile, and
    // sofia does not query again for a phone that stays registered.
    const again = await openStore(store.db.path, new ManualClock())
    t.teardown(() => again.close())
    await addMessages(again, unified, 1)
    await daemon(t, again, [node])
    await until(() => reg.notifies.length === 2)
    t.same(
      [reg.notifies[1]?.phone, reg.notifies[1]?.body.split('\r\n')[2]],
      ['reg:101@pbx.test/reg-101', 'Voice-Message: 2/0 (0/0)'],
      'the phone without a box of its own is re-lit by the announce after the restart',
    )
  },
)
