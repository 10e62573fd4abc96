/**
 * Calls from outside through the shipped public-context snippets (freeswitch-xml/dialplan/public/00_voicemaild.xml)
 * and IVR (ivr_menus/voicemaild_main.xml) on the real FreeSWITCH: the main DID by office hours, the ring-group
 * queue's timeout, the IVR's option 9 and the general box 800 dialled from outside.
 *
 * Office hours need a known clock: this FreeSWITCH runs under libfaketime starting Monday 2026-12-07 10:00 UTC
 * (faketime.ts says why the real clock cannot do it). Open at 10:00 UTC; each call may shift the time of day
 * with the channel variable `timezone`, which FreeSWITCH's time conditions honour, as the snippet tells operators:
 * America/Los_Angeles is 02:00 (night), Europe/Helsinki 12:00 (lunch), Europe/Berlin 11:00 (open).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { buildWav } from '../support/freeswitch/wav.js'
import { CallScript } from '../support/real-freeswitch/call-script.js'
import { leaveMessage, messageRecordedAt } from '../support/real-freeswitch/caller.js'
import { voicemailctl } from '../support/real-freeswitch/ctl.js'
import { fakeClockAvailable, fakeClockEnv } from '../support/real-freeswitch/faketime.js'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import { DOMAIN, startPbx, type Pbx } from '../support/real-freeswitch/pbx.js'
import type { TestCall } from '../support/real-freeswitch/test-call.js'

/** A Monday, no holiday; read as UTC by the faked FreeSWITCH. */
const FAKE_NOW = '2026-12-07 10:00:00'
const OUTSIDE = { context: 'public' }
const MAIN_DID = '5551000'

const ran = (call: TestCall, app: string, data?: string): boolean =>
  call.executed().some((e) => e.app === app && (data === undefined || e.data === data))

if (realTierAvailable(t) && fakeClockAvailable(t)) {
  t.setTimeout(300_000)
  let pbx: Pbx
  t.before(async () => {
    pbx = await startPbx(t, {
      freeswitchEnv: fakeClockEnv(FAKE_NOW),
      config: [
        'domains:',
        `  ${DOMAIN}: { mode: dual, autoProvision: true, operator: "0" }`,
        'mailboxes:',
        `  - { id: "800", domain: ${DOMAIN}, kind: general, name: Sales }`,
      ].join('\n'),
    })
    const wav = join(pbx.dir, 'greeting.wav')
    await mkdir(pbx.dir, { recursive: true })
    await writeFile(wav, buildWav(1000, 0))
    await voicemailctl(pbx, ['greeting', 'import', '800', 'unavailable', wav])
    await voicemailctl(pbx, ['greeting', 'import', '800', 'busy', wav])
  })
  t.jobs = 6

  void t.test('the faked clock is what FreeSWITCH reads', async (t) => {
    const now = (await pbx.esl.api('strftime %Y-%m-%d %A')).trim()
    t.equal(now, '2026-12-07 Monday', 'FreeSWITCH thinks it is Monday 7 December')
  })

  void t.test('office hours: the main DID runs the IVR, 9 leaves a message for 800', async (t) => {
    const call = await pbx.call(MAIN_DID, { ...OUTSIDE, callerIdNumber: '5550201' })
    const s = new CallScript(pbx.esl, call)
    await s.next('ivr', /^voicemaild_main$/)
    await call.dtmf('9')
    const transfer = await s.next('transfer')
    t.equal(transfer.get('Application-Data'), '800 XML public', 'option 9: 800 in the public context')
    await s.prompt('vm-record_message.wav')
    const record = await s.next('record')
    await new Promise((resolve) => setTimeout(resolve, 4500))
    await call.hangup()
    await call.ended()
    t.notOk(ran(call, 'set', 'vm_greeting=unavailable'), 'not the after-hours route')
    t.match(s.heard()[0], /^unavailable-.*\.wav$/, "800's greeting")
    const recordPath = (record.get('Application-Data') ?? '').split(' ')[0] ?? ''
    t.match(
      await messageRecordedAt(pbx, '800', recordPath),
      { callerIdNumber: '5550201' },
      'the message is in 800',
    )
  })

  void t.test('open in another zone too: Europe/Berlin is 11:00', async (t) => {
    const call = await pbx.call(MAIN_DID, { ...OUTSIDE, variables: { timezone: 'Europe/Berlin' } })
    await new CallScript(pbx.esl, call).next('ivr')
    await call.hangup()
    await call.ended()
    t.pass('the IVR answered')
  })

  for (const [zone, when] of [
    ['America/Los_Angeles', 'night (02:00)'],
    ['Europe/Helsinki', 'lunch (12:00)'],
  ] as const) {
    void t.test(`after hours, ${when}: straight to 800 with the unavailable greeting`, async (t) => {
      const left = await leaveMessage(pbx, MAIN_DID, {
        ...OUTSIDE,
        callerIdNumber: zone === 'Europe/Helsinki' ? '5550203' : '5550202',
        variables: { timezone: zone },
      })
      t.ok(ran(left.call, 'set', 'vm_greeting=unavailable'), 'the after-hours route')
      t.notOk(ran(left.call, 'ivr'), 'no IVR')
      t.match(left.script.heard()[0], /^unavailable-.*\.wav$/, "800's unavailable greeting")
      t.ok(await messageRecordedAt(pbx, '800', left.recordPath), 'the message is in 800')
    })
  }

  void t.test('queue (ring group 7802): nobody answers in 30 s, 800 takes a message', async (t) => {
    await pbx.calledPhone('101', 'ring')
    await pbx.calledPhone('102', 'ring')
    const left = await leaveMessage(pbx, '7802', { ...OUTSIDE, callerIdNumber: '5550204' })
    const bridged = await left.call.waitForAppDone('bridge')
    t.equal(bridged.get('variable_originate_disposition'), 'NO_ANSWER', 'both desks rang until the timeout')
    t.ok(ran(left.call, 'set', 'vm_greeting=busy'), 'the busy greeting was asked for')
    t.match(left.script.heard()[0], /^busy-.*\.wav$/, "800's busy greeting")
    t.ok(await messageRecordedAt(pbx, '800', left.recordPath), 'the message is in 800')
  })

  void t.test('800 from outside leaves a message (never a login)', async (t) => {
    const left = await leaveMessage(pbx, '800', { ...OUTSIDE, callerIdNumber: '5550205' })
    t.notOk(left.script.heard().includes('vm-enter_pass.wav'), 'no PIN asked')
    t.match(left.script.heard()[0], /^unavailable-.*\.wav$/, "800's greeting")
    t.ok(await messageRecordedAt(pbx, '800', left.recordPath), 'the message is in 800')
  })

  // SPEC §8: transfers go to the call's own context. Real FreeSWITCH sets no channel variable `context`: the context
  // is in the caller profile (`Caller-Context` in CHANNEL_DATA), which the daemon reads; an outside caller pressing
  // 0 must not land in the internal context.
  void t.test("0 from outside goes to the operator in the caller's own (public) context", async (t) => {
    const call = await pbx.call('800', { ...OUTSIDE, callerIdNumber: '5550206' })
    const s = new CallScript(pbx.esl, call)
    await s.prompt('vm-record_message.wav')
    await call.dtmf('0')
    const transfer = await s.next('transfer')
    t.equal(transfer.get('Application-Data'), '0 XML public', 'not into the internal (default) context')
    await call.hangup()
    await call.ended()
  })
}
