import t from 'tap'
import type { NodeChannels } from '../../lib/esl/channel-probe.js'
import { judgeRecording, QUIET_MS, type RecordingFacts } from '../../lib/jobs/recording-verdict.js'

/**
 * The decision behind SPEC §8 "adopt once FreeSWITCH has finished it": FreeSWITCH's word first, the file's growth
 * only when no node can say. Facts in, verdict out.
 */
const PATH = '/var/lib/voicemaild/recordings/pbx.test/100/0b9e5a4c-2f1d-4c55-9d0e-6c4a3b2a1f00.wav'
const CALL = '5f0c8a11-8a3b-4a8e-9d0c-2b7f4e6a9c01'
const CORE = 'f2164025-556a-4897-b3af-413f3dc10336'
const OTHER_CORE = '0e3b2c44-1111-4222-8333-944455556666'
const NOW = Date.UTC(2026, 11, 3, 10, 0, 0)

function node(name: string, coreUuid: string, channel?: string | null): NodeChannels {
  // null: the node has no such channel; undefined: not asked (the map lacks the uuid).
  const channels = new Map<string, string | undefined>()
  if (channel !== undefined) channels.set(CALL, channel ?? undefined)
  return { node: name, coreUuid, channels }
}

// coreUuid null: the note has none.
function facts(nodes: NodeChannels[], quietMs = 1000, coreUuid: string | null = CORE): RecordingFacts {
  return {
    path: PATH,
    callUuid: CALL,
    ...(coreUuid === null ? {} : { coreUuid }),
    nodes,
    lastWriteMs: NOW - quietMs,
    now: NOW,
  }
}

void t.test('a node whose channel records this very file: recording, however quiet the file', (t) => {
  t.same(judgeRecording(facts([node('a:8021', CORE, `${PATH} 300 200 3`)], QUIET_MS * 10)), {
    state: 'recording',
    node: 'a:8021',
  })
  t.same(
    judgeRecording(facts([node('a:8021', OTHER_CORE, null), node('b:8021', CORE, PATH)])),
    { state: 'recording', node: 'b:8021' },
    'on any node, the bare path too',
  )
  t.equal(
    judgeRecording(facts([node('a:8021', CORE, `${PATH}.other 300 200 3`)])).state,
    'finished',
    'another file (a longer name) is not this one',
  )
  t.end()
})

void t.test('the node that ran the call says the channel is gone: finished at once', (t) => {
  t.same(judgeRecording(facts([node('a:8021', CORE, null)], 0)), {
    state: 'finished',
    because: 'channel-gone',
  })
  t.same(
    judgeRecording(facts([node('a:8021', OTHER_CORE, null), node('b:8021', CORE, null)], 0)),
    { state: 'finished', because: 'channel-gone' },
    'several nodes: the one with the call Core-UUID decides',
  )
  t.end()
})

void t.test('the channel is up but past its record (the dialplan moved on): finished', (t) => {
  t.same(judgeRecording(facts([node('a:8021', CORE, '')], 0)), { state: 'finished', because: 'record-ended' })
  t.same(judgeRecording(facts([node('a:8021', OTHER_CORE, 'NORMAL_CLEARING')], 0)), {
    state: 'finished',
    because: 'record-ended',
  })
  t.end()
})

void t.test('nobody can say: the file decides by not growing for QUIET_MS', (t) => {
  const cases: Array<[string, NodeChannels[], string | null]> = [
    ['no node answered (FreeSWITCH unreachable)', [], CORE],
    [
      'only another node answered (multi-node, the call node is down)',
      [node('b:8021', OTHER_CORE, null)],
      CORE,
    ],
    ['the call node restarted since (a new Core-UUID)', [node('a:8021', OTHER_CORE, null)], CORE],
    ['the note has no Core-UUID', [node('a:8021', CORE, null)], null],
    ['the node answered the Core-UUID but not about the call', [node('a:8021', CORE)], CORE],
  ]
  for (const [name, nodes, core] of cases) {
    t.same(
      judgeRecording(facts(nodes, 4200, core)),
      { state: 'unsure', quietMs: 4200 },
      `${name}: written 4.2 s ago, wait`,
    )
    t.same(
      judgeRecording(facts(nodes, QUIET_MS, core)),
      { state: 'finished', because: 'file-quiet' },
      `${name}: still for ${QUIET_MS / 1000} s, finished`,
    )
  }
  t.same(
    judgeRecording({ ...facts([], 0), lastWriteMs: NOW + 5000 }),
    { state: 'unsure', quietMs: 0 },
    'a file time ahead of the clock counts as just written',
  )
  t.end()
})
