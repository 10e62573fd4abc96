/**
 * A PBX started with mod_voicemail still loaded (an operator who skipped that step of docs/operator-guide.md): the phones get two
 * answers to each MESSAGE_QUERY, mod_voicemail's saying "no" for a box it does not know, and `voicemailctl doctor`
 * says so (exit 1) until the module is unloaded as its message tells.
 */
import t from 'tap'
import { voicemailctl } from '../support/real-freeswitch/ctl-run.js'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import { leaveMessage } from '../support/real-freeswitch/lamp-calls.js'
import { DOMAIN, startPbx } from '../support/real-freeswitch/pbx.js'

if (realTierAvailable(t)) {
  t.setTimeout(300_000)

  void t.test('mod_voicemail loaded beside the daemon', async (t) => {
    const pbx = await startPbx(t, {
      keepModVoicemail: true,
      config: ['mailboxes:', `  - { id: "100", domain: ${DOMAIN}, kind: personal, name: Alice }`].join('\n'),
    })
    t.equal((await pbx.esl.api('module_exists mod_voicemail')).trim(), 'true', 'mod_voicemail is loaded')
    await leaveMessage(pbx, '100')

    await t.test(
      'a phone that subscribes gets mod_voicemail\'s "no" besides the daemon\'s answer',
      async (t) => {
        const phone = await pbx.phone('100')
        const account = `sip:100@${DOMAIN}`
        t.ok(
          await phone.waitFor((n) => n.account === account && n.waiting && n.voiceMessage === '1/0 (0/0)'),
          "the daemon's answer: 1/0 (0/0)",
        )
        // mod_voicemail answers an unknown box with Messages-Waiting: no and no Voice-Message line (vm.c).
        t.ok(
          await phone.waitFor((n) => n.account === account && !n.waiting && n.voiceMessage === ''),
          'and mod_voicemail\'s "no" (no Voice-Message line) for the same account: the lamp shows whichever came last',
        )
      },
    )

    await t.test('doctor fails on it, and passes once it is unloaded', async (t) => {
      const loaded = await voicemailctl(pbx, ['doctor'])
      t.equal(loaded.code, 1, 'exit 1')
      t.match(
        loaded.stdout,
        /^FAIL\s+freeswitch 127\.0\.0\.1:\d+ mod_voicemail\s+mod_voicemail is loaded: it answers MESSAGE_QUERY with "no" and races voicemaild/m,
      )
      t.match(
        await pbx.esl.api('unload mod_voicemail'),
        /^\+OK/,
        'unload mod_voicemail (what the message says)',
      )
      const unloaded = await voicemailctl(pbx, ['doctor'])
      t.equal(unloaded.code, 0, `exit 0\n${unloaded.stdout}`)
      t.match(unloaded.stdout, /^OK\s+freeswitch 127\.0\.0\.1:\d+ mod_voicemail\s+not loaded$/m)
    })
  })
}
