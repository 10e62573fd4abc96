/**
 * The owner's feature codes on the real FreeSWITCH, dialled through the shipped dialplan snippets
 * (freeswitch-xml/dialplan/default/00_voicemaild.xml): 5001 in a dual and in a unified domain, 5000, and the
 * general box's extension 800 from an internal phone. Asserts on what the owner hears (prompt files and `say`
 * arguments in CHANNEL_EXECUTE) and on the rows and files afterwards.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { CallScript } from '../support/real-freeswitch/call-script.js'
import { eventually, leaveMessage, messagesOnceThere, sleep } from '../support/real-freeswitch/caller.js'
import { voicemailctl } from '../support/real-freeswitch/ctl.js'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import { DOMAIN, startPbx, type Pbx } from '../support/real-freeswitch/pbx.js'

const UNIFIED = 'unified.test'

if (realTierAvailable(t)) {
  t.setTimeout(300_000)
  let pbx: Pbx
  t.before(async () => {
    pbx = await startPbx(t, {
      config: [
        'domains:',
        `  ${DOMAIN}: { mode: dual, autoProvision: true, timezone: America/Chicago }`,
        `  ${UNIFIED}: { mode: unified, unifiedMailbox: "800", autoProvision: false }`,
        'mailboxes:',
        `  - { id: "100", domain: ${DOMAIN}, kind: personal, name: Alice, pin: "4821" }`,
        `  - { id: "103", domain: ${DOMAIN}, kind: personal, name: Carol, pin: "4821" }`,
        `  - { id: "800", domain: ${DOMAIN}, kind: general, name: Sales, pin: "5093" }`,
        `  - { id: "800", domain: ${UNIFIED}, kind: general, name: Front desk, pin: "6072" }`,
      ].join('\n'),
    })
    // The operator gives 103 a PIN of its own (the declared one is only a temporary first-login PIN).
    await voicemailctl(pbx, ['pin', 'set', '103'], '3719\n')
  })
  // The scenarios use different boxes and phones: they share the PBX and run side by side.
  t.jobs = 3

  void t.test('5001 from Alice: temporary PIN, new PIN, name, then her messages', async (t) => {
    const alice = { fromUser: { user: '100', domain: DOMAIN } }
    // Two callers leave a message each before Alice ever logged in.
    await Promise.all([
      leaveMessage(pbx, '03100', { callerIdNumber: '5550101' }),
      leaveMessage(pbx, '03100', { callerIdNumber: '5550102' }),
    ])
    const before = await messagesOnceThere(pbx, '100', 2)
    t.equal(before.length, 2, 'two new messages are waiting')
    const [first, second] = [...before].sort((a, b) => a.receivedAt - b.receivedAt)
    if (first === undefined || second === undefined) return

    const call = await pbx.call('5001', alice)
    const s = new CallScript(pbx.esl, call)
    await s.answer('vm-enter_pass.wav', '4821#')
    await s.prompt('first-login.wav')
    await s.answer('enter-new-pin.wav', '3719#')
    await s.answer('reenter-new-pin.wav', '3719#')
    await s.prompt('vm-password_has_been_changed.wav')
    await s.prompt('record-name-now.wav')
    await s.next('record')
    await sleep(2000)
    await call.dtmf('#')
    await s.answer('vm-save_recording.wav', '2')
    await s.prompt('greeting-saved.wav')
    await s.prompt('vm-you_have.wav')
    await s.answer('vm-listen_new.wav', '1')
    // Oldest first: the first message's audio, stopped with #, then "2" save.
    await s.next('playback', new RegExp(first.uuid))
    await call.dtmf('#')
    await s.answer('vm-save_recording.wav', '2')
    await s.prompt('vm-saved.wav')
    // The second: 7 during the audio deletes it at once.
    await s.next('playback', new RegExp(second.uuid))
    await call.dtmf('7')
    await s.prompt('vm-deleted.wav')
    await s.prompt('vm-no_more_messages.wav')
    await s.answer('vm-listen_new.wav', '#')
    await s.prompt('vm-goodbye.wav')
    await call.ended()

    const heard = s.heard()
    t.ok(heard.indexOf('vm-enter_pass.wav') < heard.indexOf('first-login.wav'), 'PIN first, then first login')
    t.notOk(heard.includes('vm-enter_id.wav'), 'not asked for a box number: 5001 knows her extension')
    t.match(
      call.executed().find((e) => e.app === 'set' && e.data.startsWith('timezone=')),
      { data: 'timezone=America/Chicago' },
      "dates are said in the box's (domain's) time zone",
    )
    const said = s.said()
    const envelope = (m: typeof first, n: number): string[] => [
      `en number pronounced ${n}`,
      `en short_date_time pronounced ${Math.floor(m.receivedAt / 1000)}`,
      `en name_spelled iterated ${m.callerIdNumber}`,
      `en time_measurement pronounced ${Math.max(1, Math.round(m.durationMs / 1000))}`,
    ]
    t.same(
      said,
      [
        'en number pronounced 2', // "you have 2 new messages"
        'en number pronounced 0', // "0 saved messages"
        ...envelope(first, 1),
        ...envelope(second, 2),
      ],
      'counts, then each envelope: number, date, caller, duration',
    )

    const after = await pbx.messages('100')
    t.match(after, [{ uuid: first.uuid, folder: 'saved', deleted: false }], 'the first is saved')
    t.equal(after.length, 1, 'the deleted one was purged at hang-up')
    // Rows first, files after (a crash between the two never brings a message back): the file goes a moment later.
    t.ok(await eventually(() => !existsSync(join(pbx.stateDir, second.file))), 'and its file removed')
    const box = await pbx.box('100')
    t.equal(box?.pinTemporary, false, 'the new PIN is her own, not temporary')
    const store = await pbx.store()
    const name = (await store.greetings.list(box?.rowId ?? -1)).find((g) => g.kind === 'name')
    t.ok(name !== undefined && existsSync(join(pbx.stateDir, name.file)), 'her recorded name is stored')

    // Next time: her own PIN, and the counts have moved.
    const again = await pbx.call('5001', alice)
    const s2 = new CallScript(pbx.esl, again)
    await s2.answer('vm-enter_pass.wav', '3719#')
    await s2.answer('vm-listen_new.wav', '#')
    await again.ended()
    t.same(s2.said(), ['en number pronounced 0', 'en number pronounced 1'], '0 new, 1 saved')
    t.notOk(s2.heard().includes('first-login.wav'), 'no first-login setup the second time')

    // Callers now hear her recorded name instead of "the person at extension 1 0 0".
    const caller = await pbx.call('03100', { callerIdNumber: '5550103' })
    const c = new CallScript(pbx.esl, caller)
    await c.prompt('vm-record_message.wav')
    await caller.hangup()
    await caller.ended()
    t.ok(name !== undefined && c.heard().includes(name.file.split('/').at(-1) ?? '?'), 'her name is played')
    t.notOk(c.heard().includes('vm-person.wav'), 'not the generic greeting')
  })

  void t.test('5001 in a unified domain opens the unified box 800 from any phone', async (t) => {
    for (const user of ['100', '101']) {
      const call = await pbx.call('5001', { fromUser: { user, domain: UNIFIED } })
      const s = new CallScript(pbx.esl, call)
      await s.answer('vm-enter_pass.wav', '6072#')
      // 800's declared PIN is temporary: being asked to choose a new one proves 800's PIN was taken.
      await s.prompt('enter-new-pin.wav')
      await call.hangup()
      await call.ended()
      const login = pbx.logs().find((l) => l.msg === 'owner logged in' && l.uuid === call.b)
      t.match(login, { mailbox: '800', domain: UNIFIED }, `phone ${user} logged in to 800`)
    }
    const store = await pbx.store()
    t.equal(await store.mailboxes.find(UNIFIED, '100'), undefined, 'no personal box was created')
  })

  void t.test('5000: box number, a wrong PIN, then the right one', async (t) => {
    const call = await pbx.call('5000', { fromUser: { user: '102', domain: DOMAIN } })
    const s = new CallScript(pbx.esl, call)
    await s.answer('vm-enter_id.wav', '103#')
    await s.answer('vm-enter_pass.wav', '9999#')
    await s.prompt('vm-fail_auth.wav')
    await s.answer('vm-enter_pass.wav', '3719#')
    await s.prompt('vm-you_have.wav')
    // SPEC §4: no PIN stays on the channel (play_and_get_digits would keep the digits in its variable).
    const dump = await pbx.esl.api(`uuid_dump ${call.b}`)
    const pins = dump.split('\n').filter((line) => /: (3719|9999)$/.test(line.trim()))
    t.same(pins, [], 'neither PIN is left in a channel variable')
    await s.answer('vm-listen_new.wav', '#')
    await s.prompt('vm-goodbye.wav')
    await call.ended()
    t.same(s.said(), ['en number pronounced 0', 'en number pronounced 0'], '0 new, 0 saved')
    const logs = pbx.logs().filter((l) => l.uuid === call.b)
    t.equal(logs.filter((l) => l.msg === 'wrong PIN').length, 1, 'one wrong PIN counted')
    t.match(
      logs.find((l) => l.msg === 'owner logged in'),
      { mailbox: '103', attempt: 2 },
      'in on the second try',
    )
  })

  void t.test('800 from an internal phone logs in to the general box', async (t) => {
    const call = await pbx.call('800', { fromUser: { user: '102', domain: DOMAIN } })
    const s = new CallScript(pbx.esl, call)
    await s.answer('vm-enter_pass.wav', '5093#')
    await s.prompt('enter-new-pin.wav')
    await call.hangup()
    await call.ended()
    t.notOk(s.heard().includes('vm-enter_id.wav'), 'no box number asked: the extension is the box')
    t.notOk(s.heard().includes('vm-record_message.wav'), 'no greeting: nothing is deposited')
    t.match(
      pbx.logs().find((l) => l.msg === 'owner logged in' && l.uuid === call.b),
      { mailbox: '800', domain: DOMAIN },
      'logged in to 800',
    )
  })
}
