import { join } from 'node:path'
import t from 'tap'
import { freeswitchChannelProbe } from '../../lib/esl/channel-probe.js'
import { InboundLink, type NodeApiResult } from '../../lib/esl/inbound.js'
import { judgeRecording } from '../../lib/jobs/recording-verdict.js'
import { silentLogger } from '../../lib/log.js'
import { FakeDaemon, handshake } from '../support/freeswitch/fake-daemon.js'
import { FreeswitchSimulator } from '../support/freeswitch/index.js'
import { freePort } from '../support/ports.js'

/**
 * The channel probe over the daemon's real inbound link, against two simulated FreeSWITCH nodes and a third
 * configured one that is down (several nodes, SPEC §1): it learns each node's Core-UUID and what the asked-about
 * channel runs there, and the node that is down is simply left out.
 */
void t.test('several nodes: the one recording says so, the others know no such channel', async (t) => {
  const dir = t.testdir()
  const daemon = new FakeDaemon()
  await daemon.listen()
  const simA = new FreeswitchSimulator({ seed: 1 })
  const simB = new FreeswitchSimulator({ seed: 2, call: { promptExists: () => true } })
  const fsA = await simA.listen({ password: 'ClueCon' })
  const fsB = await simB.listen({ password: 'ClueCon' })
  const down = await freePort()
  const link = new InboundLink(
    [fsA.port, fsB.port, down].map((port) => ({ host: '127.0.0.1', port, password: 'ClueCon' })),
    silentLogger(),
    { initialBackoffMs: 20, maxBackoffMs: 100, connectTimeoutMs: 2000 },
  )
  const connected = new Set<string>()
  const both = new Promise<void>((resolve) =>
    link.onConnect((node) => {
      connected.add(node)
      if (connected.size === 2) resolve()
    }),
  )
  link.start()
  t.teardown(async () => {
    await link.close()
    await simA.close()
    await simB.close()
    await daemon.close()
  })
  await both

  // A caller on node B records a message (the fake daemon side starts the record, as our daemon would).
  const call = simB.call({ host: '127.0.0.1', port: daemon.port }, { records: [{ speakMs: 600_000 }] })
  const c = await daemon.accept()
  t.teardown(() => c.socket.destroy())
  await call.connected
  await handshake(c)
  const path = join(dir, 'message.wav')
  await c.execute('record', `${path} 300 200 3`, 'r1')
  await c.event('RECORD_START')
  const uuid = call.session.channel.uuid
  const unknown = '00000000-1111-4222-8333-444455556666'

  const probe = freeswitchChannelProbe(link, 2000)
  const nodes = await probe.look([uuid, unknown, 'not-a-uuid; shutdown'])
  t.same(
    nodes.map((n) => ({ node: n.node, coreUuid: n.coreUuid, channels: [...n.channels] })),
    [
      {
        node: `127.0.0.1:${fsA.port}`,
        coreUuid: simA.node.coreUuid,
        channels: [
          [uuid, undefined],
          [unknown, undefined],
        ],
      },
      {
        node: `127.0.0.1:${fsB.port}`,
        coreUuid: simB.node.coreUuid,
        channels: [
          [uuid, `${path} 300 200 3`],
          [unknown, undefined],
        ],
      },
    ],
    'the two nodes that are up answer (node B runs the record); the one that is down is left out',
  )
  const facts = { path, callUuid: uuid, coreUuid: simB.node.coreUuid, lastWriteMs: 0, now: 0 }
  t.same(
    judgeRecording({ ...facts, nodes }),
    { state: 'recording', node: `127.0.0.1:${fsB.port}` },
    'judged: still recording',
  )

  call.hangup()
  await c.event('CHANNEL_HANGUP_COMPLETE')
  const after = await probe.look([uuid])
  t.same(
    after.map((n) => n.channels.get(uuid)),
    [undefined, undefined],
    'once the caller hung up, no node has the channel',
  )
  t.same(
    judgeRecording({ ...facts, nodes: after }),
    { state: 'finished', because: 'channel-gone' },
    'judged: finished',
  )
})

void t.test('no node connected: nobody answers, nothing thrown', async (t) => {
  const link = new InboundLink([{ host: '127.0.0.1', port: await freePort(), password: 'x' }], silentLogger())
  t.same(
    await freeswitchChannelProbe(link).look(['00000000-1111-4222-8333-444455556666']),
    [],
    'no node answers',
  )
  const replies = await link.apiEach('status')
  t.match(
    replies,
    [{ node: /^127\.0\.0\.1:\d+$/, error: { name: 'EslConnectionError' } }],
    'apiEach: the node that is down gives its error',
  )
  t.match(await link.apiEach('status\nexit'), [{ error: { name: 'EslCommandError' } }], 'CR/LF refused')
})

void t.test(
  'a node that answers oddly or fails half-way is left out: its silence proves nothing',
  async (t) => {
    const call = '5f0c8a11-8a3b-4a8e-9d0c-2b7f4e6a9c01'
    const core = (n: number): string => `f2164025-556a-4897-b3af-41${String(n).padStart(10, '0')}`
    const replies: Record<string, Record<string, string | Error>> = {
      'a:1': { core: core(1), getvar: '_undef_' },
      'b:1': { core: '-ERR no reply\n', getvar: '' },
      'c:1': { core: core(3), getvar: '-ERR Cannot find that variable\n' },
      'd:1': { core: core(4), getvar: new Error('timeout') },
      'e:1': { core: core(5), getvar: '-ERR No such channel!\n' },
    }
    const link = {
      apiEach(command: string): Promise<NodeApiResult[]> {
        const key = command.startsWith('global_getvar') ? 'core' : 'getvar'
        return Promise.resolve(
          Object.entries(replies).map(([node, r]) => {
            const reply = r[key]
            return reply instanceof Error || reply === undefined
              ? { node, error: reply ?? new Error('none') }
              : { node, body: reply }
          }),
        )
      },
    }
    const nodes = await freeswitchChannelProbe(link).look([call])
    t.same(
      nodes.map((n) => [n.node, n.coreUuid, n.channels.get(call), n.channels.has(call)]),
      [
        ['a:1', core(1), '', true],
        ['e:1', core(5), undefined, true],
      ],
      'a: the channel is up and runs nothing; e: no such channel; b, c, d left out',
    )
  },
)
