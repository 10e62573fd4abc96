import t from 'tap'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { CallEnd } from '../../lib/esl/outbound-server.js'
import { startHarness, type Harness } from '../support/daemon-harness.js'
import type { CallerAction, CallerScript, RecordBehaviour } from '../support/freeswitch/index.js'
import { check, login, ownerConfig, plant, setPin, PIN } from '../flows/owner-fixture.js'
import { fuzz, type Fuzz } from './fuzz-support.js'

/**
 * Random callers pressing random keys at random moments, in every menu: the deposit flow (greeting keys, review,
 * urgent) and the owner side (PIN entry, main menu, message menu, options, forward, greetings). Whatever they
 * press, every call ends, no flow ends in an error, FreeSWITCH sees no protocol violation, and no message is lost:
 * afterwards every message file on disk has its row and every row its file.
 */
const KEYS = '0123456789*#'

function digits(f: Fuzz, max: number): string {
  return Array.from({ length: f.int(1, max) }, () => KEYS[f.int(0, KEYS.length - 1)]).join('')
}

function randomScript(f: Fuzz, variables: Record<string, string>): CallerScript {
  const actions: CallerAction[] = []
  for (let i = f.int(0, 6); i > 0; i--) {
    const when = f.pick([
      { atMs: f.int(0, 40_000) },
      { onPlayback: true as const, nth: f.int(1, 8), afterMs: f.int(0, 3000) },
      { onRecord: true as const, afterMs: f.int(0, 6000) },
    ])
    actions.push({ when, press: digits(f, 4) })
  }
  const entries = Array.from({ length: f.int(0, 8) }, () =>
    f.int(0, 3) === 0 ? `${PIN}#` : f.pick(['', digits(f, 6)]),
  )
  const records: RecordBehaviour[] = Array.from({ length: f.int(1, 3) }, () => ({
    speakMs: f.int(0, 8000),
    then: f.pick<RecordBehaviour['then']>(['silence', 'hangup', { press: '#' }, { press: digits(f, 2) }]),
  }))
  // Every caller hangs up eventually (a real one would), so every call is bounded.
  return { variables, actions, entries, records, hangupAtMs: f.int(5_000, 150_000), callerIdNumber: '1002' }
}

async function messageFiles(h: Harness): Promise<string[]> {
  const root = join(h.dir, 'recordings', 'pbx.test')
  const found: string[] = []
  for (const box of await readdir(root).catch(() => [])) {
    for (const name of await readdir(join(root, box)).catch(() => [])) {
      if (name.endsWith('.wav')) found.push(`recordings/pbx.test/${box}/${name}`)
    }
  }
  return found.sort()
}

void t.test('random DTMF in every menu: calls end, no flow error, no message lost', async (t) => {
  const f = fuzz(t, 'dtmf menus')
  const h = await startHarness(t, { config: ownerConfig(), seed: f.seed })
  await setPin(h, '100')
  await setPin(h, '800')
  for (let i = 0; i < 3; i++) await plant(h, '100')
  await plant(h, '800', { folder: 'saved' })
  const ends: CallEnd[] = []
  h.app.server.on('call-ended', (end) => ends.push(end))
  // On a loaded machine a random caller may hang up before the handshake is through: that call never starts.
  let notStarted = 0
  h.app.server.on('call-not-started', (why) => {
    if (why === 'gone') notStarted++
  })

  const variables = (): Record<string, string> =>
    f.pick([
      { vm_action: 'deposit', vm_mailbox: f.pick(['100', '101', '800']), domain_name: 'pbx.test' },
      login(f.pick(['100', '800'])),
      check('100'),
      { vm_action: 'menu', domain_name: 'pbx.test' },
    ])
  const calls = Array.from({ length: 24 }, () => h.call(randomScript(f, variables())))
  const transcripts = await Promise.all(calls.map((c) => c.finished))
  await h.app.mailWorker.whenIdle()

  t.equal(
    ends.length + notStarted,
    calls.length,
    'every call ended (or its caller was gone before it started)',
  )
  const errors = ends.filter((e) => e.outcome === 'error')
  t.same(
    errors.map((e) => String(e.error)),
    [],
    'no flow ended in an error',
  )
  t.same(
    transcripts.flatMap((tr) => tr.violations),
    [],
    'no protocol violation',
  )
  t.equal(h.app.server.liveCalls, 0, 'nothing left live')

  const rows = await h.app.store.db.all<{ file: string }>('SELECT file FROM messages')
  t.same(
    await messageFiles(h),
    rows.map((r) => r.file).sort(),
    'every message file has its row and every row its file',
  )
})
