/**
 * Callers leaving messages on the real FreeSWITCH through the shipped default-context snippets: 03+extension
 * (straight to the box; `#`, `*` and `0` during the greeting) and an extension that rings unanswered, is busy, or
 * has no phone registered (voicemaild_local_extension: bridge, then deposit). Asserts on the greeting the caller
 * hears, the file FreeSWITCH recorded and the row.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { buildWav } from '../support/freeswitch/wav.js'
import { CallScript } from '../support/real-freeswitch/call-script.js'
import { leaveMessage, messageRecordedAt } from '../support/real-freeswitch/caller.js'
import { voicemailctl } from '../support/real-freeswitch/ctl.js'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import { DOMAIN, startPbx, type Pbx } from '../support/real-freeswitch/pbx.js'
import { readRecordedWav } from '../support/real-freeswitch/recorded-wav.js'

/** Any registered caller; not one of the boxes under test. */
const CALLER = { fromUser: { user: '1001', domain: DOMAIN } }
/** The A leg's tone (tone_stream) measured well above this; digital silence is 0. */
const AUDIBLE_RMS = 500

if (realTierAvailable(t)) {
  t.setTimeout(300_000)
  let pbx: Pbx
  t.before(async () => {
    pbx = await startPbx(t, {
      config: [
        'domains:',
        `  ${DOMAIN}: { mode: dual, autoProvision: true, operator: "0" }`,
        'mailboxes:',
        `  - { id: "100", domain: ${DOMAIN}, kind: personal, name: Alice }`,
        `  - { id: "101", domain: ${DOMAIN}, kind: personal, name: Bob }`,
        `  - { id: "103", domain: ${DOMAIN}, kind: personal, name: Carol, pin: "4821" }`,
      ].join('\n'),
    })
    // Alice and Bob recorded both greetings (the operator imports them here): which one a caller hears shows
    // whether the call counted as busy or unavailable.
    const dir = join(pbx.dir, 'greetings-in')
    await mkdir(dir, { recursive: true })
    const wav = join(dir, 'greeting.wav')
    await writeFile(wav, buildWav(1000, 0))
    await Promise.all(
      ['100', '101'].flatMap((box) =>
        ['unavailable', 'busy'].map((kind) => voicemailctl(pbx, ['greeting', 'import', box, kind, wav])),
      ),
    )
  })
  t.jobs = 4

  void t.test('03103: greeting, beep, record, # then save and mark urgent', async (t) => {
    const left = await leaveMessage(pbx, '03103', {
      ...CALLER,
      callerIdNumber: '5550131',
      end: 'keys',
      urgent: true,
    })
    t.same(
      left.script.heard().slice(0, 6),
      ['vm-person.wav', '1.wav', '0.wav', '3.wav', 'vm-not_available.wav', 'vm-record_message.wav'],
      '"the person at extension 1 0 3 is not available", then "record your message"',
    )
    t.notOk(
      left.call.executed().some((e) => e.app === 'bridge'),
      'the phone never rang',
    )
    const message = await messageRecordedAt(pbx, '103', left.recordPath)
    t.match(message, { callerIdNumber: '5550131', urgent: true, folder: 'new' }, 'stored, new and urgent')
    if (message === undefined) return
    t.equal(
      join(pbx.stateDir, message.file),
      left.recordPath,
      'the row points at the file FreeSWITCH recorded',
    )
    const wav = await readRecordedWav(left.recordPath)
    t.match(wav, { sampleRate: 8000, channels: 1, bitsPerSample: 16 }, '8 kHz 16-bit mono')
    t.equal(wav.durationMs, message.durationMs, "the row's duration is the file's")
    t.ok(
      wav.durationMs >= 3000 && wav.durationMs <= left.spokeMs + 1000,
      `the length of what the caller said (${wav.durationMs} ms of ${left.spokeMs} ms)`,
    )
    t.ok(wav.rms > AUDIBLE_RMS, `the caller's tone is in it (rms ${Math.round(wav.rms)})`)
  })

  void t.test('03103: # during the greeting skips to the beep', async (t) => {
    const call = await pbx.call('03103', { ...CALLER, callerIdNumber: '5550132' })
    const s = new CallScript(pbx.esl, call)
    await s.prompt('vm-record_message.wav')
    await call.dtmf('#')
    const greeting = await call.waitForAppDone('playback', /vm-record_message/)
    t.equal(greeting.get('variable_playback_terminator_used'), '#', 'the greeting stopped on #')
    await s.next('playback', /^tone_stream:/)
    await s.next('record')
    t.pass('the beep, then the recording')
    await call.hangup()
    await call.ended()
  })

  void t.test('03103: * during the greeting logs in to the box', async (t) => {
    const call = await pbx.call('03103', { ...CALLER, callerIdNumber: '5550133' })
    const s = new CallScript(pbx.esl, call)
    await s.prompt('vm-record_message.wav')
    await call.dtmf('*')
    await s.answer('vm-enter_pass.wav', '4821#')
    // The declared PIN is temporary: the owner is sent to choose a PIN of their own.
    await s.prompt('enter-new-pin.wav')
    await call.hangup()
    await call.ended()
    t.notOk(
      call.executed().some((e) => e.app === 'record'),
      'nothing recorded',
    )
    t.match(
      pbx.logs().find((l) => l.uuid === call.b && l.msg === 'owner logged in'),
      { mailbox: '103' },
      'logged in to 103',
    )
  })

  void t.test('03103: 0 during the greeting goes to the operator', async (t) => {
    const call = await pbx.call('03103', { ...CALLER, callerIdNumber: '5550134' })
    const s = new CallScript(pbx.esl, call)
    await s.prompt('vm-record_message.wav')
    await call.dtmf('0')
    const transfer = await s.next('transfer')
    t.equal(transfer.get('Application-Data'), '0 XML default', "transferred to 0 in the caller's context")
    // Vanilla's `operator` extension (^(operator|0)$) took the call.
    const operator = await s.next('transfer', /^1000 XML features$/)
    t.equal(operator.get('Caller-Destination-Number'), '0', "vanilla's operator extension answered it")
    await call.hangup()
    await call.ended()
    t.notOk(
      call.executed().some((e) => e.app === 'record'),
      'nothing recorded',
    )
  })

  void t.test('101 rings unanswered: the unavailable greeting after 20 s, then a message', async (t) => {
    await pbx.calledPhone('101', 'ring')
    const left = await leaveMessage(pbx, '101', { ...CALLER, callerIdNumber: '5550141' })
    const executed = left.call.executed()
    t.ok(
      executed.some((e) => e.app === 'bridge' && e.data === `user/101@${DOMAIN}`),
      'the phone was rung first',
    )
    const bridged = await left.call.waitForAppDone('bridge')
    t.equal(
      bridged.get('variable_originate_disposition'),
      'NO_ANSWER',
      'it rang until the call_timeout and nobody answered',
    )
    t.ok(
      executed.some((e) => e.app === 'set' && e.data === 'vm_greeting=unavailable'),
      'the snippet chose the unavailable greeting',
    )
    t.match(left.script.heard()[0], /^unavailable-.*\.wav$/, "Bob's unavailable greeting is played")
    const message = await messageRecordedAt(pbx, '101', left.recordPath)
    t.match(message, { callerIdNumber: '5550141' }, 'the message is in his box')
  })

  void t.test('100 is busy: the busy greeting, then a message', async (t) => {
    const phone = await pbx.calledPhone('100', 'busy')
    const left = await leaveMessage(pbx, '100', { ...CALLER, callerIdNumber: '5550142' })
    const bridged = await left.call.waitForAppDone('bridge')
    t.equal(bridged.get('variable_originate_disposition'), 'USER_BUSY', 'the phone answered 486 Busy Here', {
      phoneSaw: phone.exchanged(),
    })
    t.ok(
      left.call.executed().some((e) => e.app === 'set' && e.data === 'vm_greeting=busy'),
      'the snippet chose the busy greeting (USER_BUSY)',
    )
    t.match(left.script.heard()[0], /^busy-.*\.wav$/, "Alice's busy greeting is played")
    const message = await messageRecordedAt(pbx, '100', left.recordPath)
    t.match(message, { callerIdNumber: '5550142' }, 'the message is in her box')
  })

  void t.test('102 has no phone registered: unavailable, box created on the fly', async (t) => {
    const left = await leaveMessage(pbx, '102', { ...CALLER, callerIdNumber: '5550143' })
    const bridged = await left.call.waitForAppDone('bridge')
    t.equal(bridged.get('variable_originate_disposition'), 'USER_NOT_REGISTERED', 'nothing to ring')
    t.ok(
      left.call.executed().some((e) => e.app === 'set' && e.data === 'vm_greeting=unavailable'),
      'the snippet chose the unavailable greeting',
    )
    t.same(
      left.script.heard().slice(0, 5),
      ['vm-person.wav', '1.wav', '0.wav', '2.wav', 'vm-not_available.wav'],
      '"the person at extension 1 0 2 is not available"',
    )
    t.match(await pbx.box('102'), { kind: 'personal' }, 'the personal box was provisioned')
    const message = await messageRecordedAt(pbx, '102', left.recordPath)
    t.match(message, { callerIdNumber: '5550143' }, 'the message is in it')
  })
}
