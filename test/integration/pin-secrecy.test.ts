/**
 * SPEC §4 owner 1, "a PIN never stays on the channel", on the real FreeSWITCH (issue 11, item 1). FreeSWITCH
 * keeps every channel variable until the call ends and copies all of them into every later CHANNEL_EXECUTE*,
 * the hangup events, `uuid_dump` and the CDRs; a PIN collected into a variable was seen in all of those. Here an
 * owner types a wrong PIN, the right (temporary) one and a new PIN twice, while an event socket of the test's
 * own listens to ALL events; none of them, nor `uuid_dump` taken before the hangup, nor the CDR, nor the
 * daemon's log, holds any of the PINs.
 */
import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import { startPbx, DOMAIN } from '../support/real-freeswitch/pbx.js'
import type { TestCall } from '../support/real-freeswitch/test-call.js'

// Long PINs: a 4-digit one could turn up by chance inside a timestamp or a uuid of some event.
const WRONG = '6180427395'
const TEMPORARY = '5937261804'
const CHOSEN = '7302948516'
const PINS = [WRONG, TEMPORARY, CHOSEN]

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves once B has started its `n`th run of `app`. */
async function nthApp(call: TestCall, app: string, n: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (call.executed().filter((e) => e.app === app).length < n) {
    if (Date.now() > deadline) throw new Error(`no ${app} #${n} within ${timeoutMs} ms`)
    await sleep(50)
  }
}

/** Type `keys` one at a time, as a phone sends them (so the test's own API events never hold a whole PIN). */
async function type(call: TestCall, keys: string): Promise<void> {
  await sleep(300)
  for (const key of keys) {
    await call.dtmf(key)
    await sleep(120)
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}

if (realTierAvailable(t)) {
  t.setTimeout(180_000)
  void t.test('no event, uuid_dump, CDR or log holds a PIN typed at login or PIN change', async (t) => {
    const pbx = await startPbx(t, {
      config: [
        'mailboxes:',
        `  - { id: "100", domain: ${DOMAIN}, kind: personal, name: Alice, pin: "${TEMPORARY}", email: [alice@example.com] }`,
      ].join('\n'),
    })
    const all = await pbx.fs.connect()
    await all.subscribe('ALL')

    // 5001 from the box's own phone; the declared PIN is a temporary one, so logging in asks for a new PIN.
    const call = await pbx.call('5001', { fromUser: { user: '100', domain: DOMAIN } })
    await nthApp(call, 'play_and_get_digits', 1)
    await type(call, `${WRONG}#`)
    await nthApp(call, 'play_and_get_digits', 2)
    await type(call, `${TEMPORARY}#`)
    await nthApp(call, 'play_and_get_digits', 3)
    await type(call, `${CHOSEN}#`)
    await nthApp(call, 'play_and_get_digits', 4)
    await type(call, `${CHOSEN}#`)
    // The new PIN is stored; the first login goes on to record the owner's name.
    await call.waitForApp('record', undefined, 30_000)
    const dump = await pbx.esl.api(`uuid_dump ${call.b}`)
    t.match(dump, /Unique-ID/, 'uuid_dump of the live channel')
    await call.hangup()
    await call.ended()
    await all.waitFor((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.get('Unique-ID') === call.a, 30_000)
    // mod_cdr_csv writes when the session is destroyed, just after CHANNEL_HANGUP_COMPLETE.
    await all.waitFor((e) => e.name === 'CHANNEL_DESTROY' && e.get('Unique-ID') === call.b, 30_000)
    await sleep(500)

    const store = await pbx.store()
    const box = await store.mailboxes.find(DOMAIN, '100')
    t.equal(box?.pinTemporary, false, 'the PIN change went through')
    const hangup = all.events.find(
      (e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.get('Unique-ID') === call.b,
    )
    // FreeSWITCH writes every digit the call typed into digits_dialed at hangup; the daemon has it masked.
    t.match(hangup?.get('variable_digits_dialed'), /^X+$/, 'digits_dialed is masked')
    const cdrFiles = await filesUnder(join(pbx.fs.dir, 'log', 'cdr-csv'))
    const cdr = (await Promise.all(cdrFiles.map((f) => readFile(f, 'utf8')))).join('\n')
    t.match(cdr, call.b, 'the CDR of the call was written')
    const daemonLog = pbx.logs().map((l) => JSON.stringify(l))
    for (const pin of PINS) {
      const carriers = all.events.flatMap((e) => [
        ...e.headers.filter(([, v]) => v.includes(pin)).map(([k]) => `${e.name} ${k}`),
        ...(e.body.includes(pin) ? [`${e.name} body`] : []),
      ])
      t.same(carriers, [], `no event holds ${pin}`)
      t.notOk(dump.includes(pin), `uuid_dump does not hold ${pin}`)
      t.notOk(cdr.includes(pin), `the CDR does not hold ${pin}`)
      t.notOk(
        daemonLog.some((l) => l.includes(pin)),
        `the daemon's log does not hold ${pin}`,
      )
    }
    t.comment(`${all.events.length} events checked; CDR files: ${cdrFiles.length}`)
  })
}
