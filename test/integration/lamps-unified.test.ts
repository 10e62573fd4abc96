/**
 * Lamps in a unified domain on the real FreeSWITCH: 5001 opens the unified box (800) for everyone, so every phone
 * of the domain follows it, including a phone with no box of its own (1003), which the daemon only learns about
 * when that phone asks (MESSAGE_QUERY), and a personal box's phone (100: its own box plus the unified box).
 */
import t from 'tap'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import { leaveMessage, ownerLogin, setPin, lampIs } from '../support/real-freeswitch/lamp-calls.js'
import { DOMAIN, startPbx } from '../support/real-freeswitch/pbx.js'

if (realTierAvailable(t)) {
  t.setTimeout(300_000)

  void t.test('unified domain: every phone follows the unified box', async (t) => {
    const pbx = await startPbx(t, {
      config: [
        'domains:',
        `  ${DOMAIN}: { mode: unified, unifiedMailbox: "800" }`,
        'mailboxes:',
        `  - { id: "800", domain: ${DOMAIN}, kind: general, name: Office }`,
        `  - { id: "100", domain: ${DOMAIN}, kind: personal, name: Alice }`,
      ].join('\n'),
    })
    await setPin(await pbx.store(), '800', '5937')
    const p100 = await pbx.phone('100')
    await leaveMessage(pbx, '800')
    await p100.waitFor(lampIs(true, '1/0 (0/0)', '100'))

    const p1003 = await pbx.phone('1003')
    await t.test('a phone without a box subscribes after the message: the answer lights it', async (t) => {
      t.ok(
        await p1003.waitFor(lampIs(true, '1/0 (0/0)', '1003'), 10_000),
        'phone 1003: 1/0 (0/0) for sip:1003, the unified box',
      )
    })

    await t.test(
      'the next deposit reaches it too (the daemon learned the account from the query)',
      async (t) => {
        const n1003 = p1003.notifies().length
        const n100 = p100.notifies().length
        await leaveMessage(pbx, '800', { urgent: true })
        t.ok(await p1003.waitFor(lampIs(true, '2/0 (1/0)', '1003'), 20_000, n1003), 'phone 1003')
        t.ok(
          await p100.waitFor(lampIs(true, '2/0 (1/0)', '100'), 20_000, n100),
          'phone 100 (own box empty + 800)',
        )
      },
    )

    await t.test(
      '5001 from that phone opens the unified box; a delete reaches every phone at once',
      async (t) => {
        const n1003 = p1003.notifies().length
        const n100 = p100.notifies().length
        const owner = await ownerLogin(pbx, { fromUser: '1003', pin: '5937' })
        await owner.menu('1') // new messages: the urgent one first
        await owner.menu('7') // delete it
        t.ok(await p1003.waitFor(lampIs(true, '1/0 (0/0)', '1003'), 20_000, n1003), 'phone 1003')
        t.ok(await p100.waitFor(lampIs(true, '1/0 (0/0)', '100'), 20_000, n100), 'phone 100')
        t.ok(await owner.alive(), 'while the owner is still on the call')
        await owner.call.hangup()
        await owner.call.ended()
      },
    )

    await t.test(
      'after a daemon restart the unified box still reaches the phone without a box',
      async (t) => {
        await pbx.stopDaemon('SIGTERM')
        await pbx.startDaemon()
        const n1003 = p1003.notifies().length
        const n100 = p100.notifies().length
        await leaveMessage(pbx, '800')
        t.ok(
          await p100.waitFor(lampIs(true, '2/0 (0/0)', '100'), 20_000, n100),
          'phone 100 (a box number: always pushed)',
        )
        // Both NOTIFYs come from the same push, so a short grace is enough once phone 100 has its own.
        await t.resolves(
          p1003.waitFor(lampIs(true, '2/0 (0/0)', '1003'), 10_000, n1003),
          'phone 1003 follows the new message (the learned account survived the restart)',
        )
      },
    )
  })
}
