/**
 * "Nobody outside can lock the owner out" (SPEC §4 owner 1, issue 11 item 7) on the real FreeSWITCH: callers who
 * are not box 100's own authenticated phone (5000 without a registered user, `*` during 03100's greeting) type
 * wrong PINs across calls until remote access locks; the next such caller hears the lock prompt without being asked
 * for a PIN; the owner's phone (5001 with user_name 100) still gets in with the right PIN. `lockoutFailures` is
 * lowered to 5 to keep the calls few (3 tries per call: 3 + 2).
 */
import t from 'tap'
import { CallScript } from '../support/real-freeswitch/call-script.js'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import { setPin } from '../support/real-freeswitch/lamp-calls.js'
import { DOMAIN, startPbx, type Pbx } from '../support/real-freeswitch/pbx.js'

const PIN = '4821'
const WRONG = '9157'

/** A caller from nowhere in particular (no registered phone): an outside number. */
const OUTSIDER = { callerIdNumber: '5550199', callerIdName: 'Outside Caller' }

/** Each wrong PIN is answered with "login incorrect"; resolves once the call is gone. */
async function wrongPins(s: CallScript, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await s.answer('vm-enter_pass.wav', `${WRONG}#`)
    await s.prompt('vm-fail_auth.wav')
  }
}

function lockLine(pbx: Pbx, uuid: string): Record<string, unknown> | undefined {
  return pbx.logs().find((l) => l.uuid === uuid && l.msg === 'mailbox locked after too many wrong PINs')
}

if (realTierAvailable(t)) {
  t.setTimeout(300_000)

  void t.test('wrong PINs from outside lock remote access only; the owner still gets in', async (t) => {
    const pbx = await startPbx(t, {
      config: [
        'security: { pinTriesPerCall: 3, lockoutFailures: 5 }',
        'mailboxes:',
        `  - { id: "100", domain: ${DOMAIN}, kind: personal, name: Alice, email: [alice@example.com] }`,
      ].join('\n'),
    })
    await setPin(await pbx.store(), '100', PIN)

    // Call 1: 5000 from outside, box 100, three wrong PINs: the call's tries are used up.
    const first = await pbx.call('5000', OUTSIDER)
    const s1 = new CallScript(pbx.esl, first)
    await s1.answer('vm-enter_id.wav', '100#')
    await wrongPins(s1, 3)
    await first.ended()
    t.equal(lockLine(pbx, first.b), undefined, '3 failures: not locked yet')

    // Call 2: * during 03100's greeting, two more wrong PINs: the fifth failure locks remote access.
    const second = await pbx.call('03100', OUTSIDER)
    const s2 = new CallScript(pbx.esl, second)
    await s2.prompt('vm-record_message.wav')
    await second.dtmf('*')
    await s2.answer('vm-enter_pass.wav', `${WRONG}#`)
    await s2.prompt('vm-fail_auth.wav')
    await s2.answer('vm-enter_pass.wav', `${WRONG}#`)
    await s2.prompt('mailbox-locked.wav')
    await second.ended()
    t.match(
      lockLine(pbx, second.b),
      { access: 'remote', mailbox: '100' },
      'the fifth failure locks remote access',
    )
    const box = await pbx.box('100')
    t.ok((box?.lockedUntil ?? 0) > Date.now(), 'the box is locked for remote access')
    t.equal(box?.ownerLockedUntil, undefined, 'and not for its own phone')

    // Call 3: the next remote caller is refused before any PIN is asked.
    const third = await pbx.call('5000', OUTSIDER)
    const s3 = new CallScript(pbx.esl, third)
    await s3.answer('vm-enter_id.wav', '100#')
    await s3.prompt('mailbox-locked.wav')
    await third.ended()
    t.notOk(s3.heard().includes('vm-enter_pass.wav'), 'locked: no PIN asked')
    t.notOk(
      third.executed().some((e) => e.app === 'play_and_get_digits' && e.data.includes('vm-enter_pass.wav')),
      'no PIN entry at all',
    )

    // Call 4: the owner's own phone, 5001 with user_name 100: in with the right PIN.
    const owner = await pbx.call('5001', {
      fromUser: { user: '100', domain: DOMAIN },
      callerIdNumber: '100',
    })
    const s4 = new CallScript(pbx.esl, owner)
    await s4.answer('vm-enter_pass.wav', `${PIN}#`)
    await s4.prompt('vm-you_have.wav')
    t.notOk(s4.heard().includes('mailbox-locked.wav'), 'the owner is not told the box is locked')
    t.match(
      pbx.logs().find((l) => l.uuid === owner.b && l.msg === 'owner logged in'),
      { mailbox: '100', access: 'owner' },
      'the owner logged in from the own phone',
    )
    await owner.hangup()
    await owner.ended()

    // One lockout mail to the box's recipients.
    for (let i = 0; i < 100 && pbx.smtp.messages.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const mails = pbx.smtp.messages.filter((m) =>
      /locked after failed PIN attempts/.test(m.parsed.subject ?? ''),
    )
    t.equal(mails.length, 1, 'one lockout mail')
    t.same(mails[0]?.envelope.to, ['alice@example.com'], 'to the box owner')
  })
}
