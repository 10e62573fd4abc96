import t from 'tap'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import { startPbx, DOMAIN } from '../support/real-freeswitch/pbx.js'

if (realTierAvailable(t)) {
  t.setTimeout(120_000)
  void t.test('03100 leaves a message on the real FreeSWITCH', async (t) => {
    const pbx = await startPbx(t, {
      config: [
        'mailboxes:',
        `  - { id: "100", domain: ${DOMAIN}, kind: personal, name: Alice, pin: "4821", email: [alice@example.com, bob@example.com] }`,
      ].join('\n'),
    })
    const phone = await pbx.phone('100')
    t.comment(JSON.stringify(phone.notifies()))
    const call = await pbx.call('03100', { fromUser: { user: '1001', domain: DOMAIN } })
    await call.waitForApp('record')
    await new Promise((r) => setTimeout(r, 4000))
    await call.hangup()
    await call.ended()
    const lamp = await phone.waitFor((n) => n.waiting)
    t.equal(lamp.voiceMessage, '1/0 (0/0)')
    const messages = await pbx.messages('100')
    t.equal(messages.length, 1)
    for (let i = 0; i < 100 && pbx.smtp.messages.length < 1; i++) await new Promise((r) => setTimeout(r, 100))
    t.equal(pbx.smtp.messages.length, 1)
    t.comment(
      call
        .executed()
        .map((e) => `${e.app} ${e.data}`)
        .join('\n'),
    )
  })
}
