import { randomUUID } from 'node:crypto'
import t from 'tap'
import { createLogger } from '../../lib/log.js'
import { startHarness } from '../support/daemon-harness.js'
import { duplicateKeys } from '../support/json-keys.js'
import {
  AFTER_MESSAGE,
  check,
  MAIN_MENU,
  menu5000,
  ownerConfig,
  PIN,
  plant,
  setPin,
} from '../flows/owner-fixture.js'

/** The daemon's real pino logger at debug, writing its JSON lines into memory. */
function capture(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = []
  const log = createLogger('debug', {
    write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean)),
  })
  return { log, lines }
}

void t.test('duplicateKeys finds keys repeated at any depth', (t) => {
  t.same(duplicateKeys('{"a":1,"b":{"c":[{"d":1,"d":2}]},"a":"x"}'), ['b.c[0].d', 'a'])
  t.same(duplicateKeys('{"a":"\\"a\\"","b":[1,2.5e3,true,null,{}]}'), [], 'none in a clean line')
  t.throws(() => duplicateKeys('{"a":1'), SyntaxError, 'invalid JSON is an error, not a pass')
  t.end()
})

void t.test('no log line of a day of calls repeats a key', async (t) => {
  const { log, lines } = capture()
  const h = await startHarness(t, { config: ownerConfig(), users: ['103@pbx.test'], log })
  await setPin(h, '100')
  await plant(h, '100')

  // A deposit with review and send, one into a box auto-provisioned on the spot, one to nobody.
  await h.call({
    callerIdNumber: '1002',
    variables: { vm_action: 'deposit', vm_mailbox: '101', domain_name: 'pbx.test' },
    records: [{ speakMs: 5000, then: { press: '#' } }],
    actions: [
      { when: { onPlayback: /vm-listen_to_recording/ }, press: '2' },
      { when: { onPlayback: /vm-mark-urgent/ }, press: '#' },
    ],
  }).finished
  await h.call({
    variables: { vm_action: 'deposit', vm_mailbox: '103', domain_name: 'pbx.test' },
    actions: [{ when: { onRecord: true, afterMs: 4000 }, hangup: true }],
  }).finished
  await h.call({ variables: { vm_action: 'deposit', vm_mailbox: '999', domain_name: 'pbx.test' } }).finished
  const tooShortUuid = randomUUID()
  await h.call({
    uuid: tooShortUuid,
    variables: { vm_action: 'deposit', vm_mailbox: '101', domain_name: 'pbx.test' },
    records: [{ speakMs: 1000, then: 'hangup' }],
  }).finished
  // The owner: a wrong PIN, then the right one; hears the message, saves it, leaves.
  await h.call({
    variables: check('100'),
    entries: ['0000#', `${PIN}#`],
    actions: [
      { when: { onPlayback: MAIN_MENU }, press: '1' },
      { when: { onPlayback: AFTER_MESSAGE }, press: '2' },
      { when: { onPlayback: MAIN_MENU, nth: 2 }, press: '#' },
    ],
  }).finished
  await h.call({ variables: menu5000, entries: ['999#', '', ''] }).finished
  await h.call({ variables: { vm_action: 'nonsense' } }).finished
  for (const job of ['outbox', 'cleanup', 'reconcile', 'mwi-resync'] as const) await h.app.jobs.run(job)
  await h.app.stop()

  t.ok(lines.length > 50, `${lines.length} lines logged`)
  const messages = new Set(lines.map((l) => (JSON.parse(l) as { msg: string }).msg))
  for (const msg of ['call started', 'mailbox auto-provisioned', 'stopped'])
    t.ok(messages.has(msg), `logged "${msg}"`)
  t.match(
    lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'recording too short, discarded'),
    { uuid: tooShortUuid, component: 'calls', mailbox: '101' },
    "a call's lines carry its uuid and box",
  )
  const repeated = lines.map((line) => ({ line, keys: duplicateKeys(line) })).filter((l) => l.keys.length > 0)
  t.same(repeated, [], 'no line repeats a key')
})
