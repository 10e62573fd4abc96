/**
 * Lamps on the real FreeSWITCH, as the phones see them (the NOTIFY bodies sipp receives), in a dual domain:
 * - a personal box lights its own phone (100);
 * - a general box (800) lights the phone registered as 800 itself, the phones its `mwiAccounts` list (1001, 1002:
 *   vanilla users without an `mwi-account` param, so only the daemon's events reach them), and the phone whose
 *   directory entry has `mwi-account=800@…` (the shipped 101.xml: only FreeSWITCH's fan-out reaches it, since no box
 *   lists 101 and there is no box 101);
 * - 1001 also has a box of its own: its lamp is the sum of both boxes;
 * - the lamp moves after every change the owner makes (5001 / 800 with keys), while the call is still up;
 * - phones that register or subscribe after the messages exist get the right lamp from the daemon's answer to
 *   FreeSWITCH's MESSAGE_QUERY.
 */
import t from 'tap'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import { leaveMessage, ownerLogin, setPin, lampIs } from '../support/real-freeswitch/lamp-calls.js'
import { DOMAIN, SIP_PASSWORD, startPbx } from '../support/real-freeswitch/pbx.js'
import type { DeskPhone } from '../support/real-freeswitch/sip-phone.js'

/**
 * sofia sends the REGISTER's MESSAGE_QUERY at most once per 30 s per MWI account (`debounce_check`,
 * sofia_reg.c): a phone following an account another phone registered for less than 30 s ago gets no query.
 */
async function waitOutRegisterDebounce(lastRegistrationAt: number): Promise<void> {
  const wait = lastRegistrationAt + 31_000 - Date.now()
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
}

if (realTierAvailable(t)) {
  t.setTimeout(300_000)

  void t.test('dual domain: every phone that follows a box', async (t) => {
    const pbx = await startPbx(t, {
      users: {
        // The general box's own desk phone: a directory user 800 without mwi-account.
        '800': `    <params>\n      <param name="password" value="${SIP_PASSWORD}"/>\n    </params>`,
      },
      config: [
        'mailboxes:',
        `  - { id: "100", domain: ${DOMAIN}, kind: personal, name: Alice, email: [alice@example.com] }`,
        `  - { id: "1001", domain: ${DOMAIN}, kind: personal, name: Bob }`,
        `  - { id: "800", domain: ${DOMAIN}, kind: general, name: Sales, email: [sales@example.com], mwiAccounts: [1001@${DOMAIN}, 1002@${DOMAIN}] }`,
      ].join('\n'),
    })
    const store = await pbx.store()
    await setPin(store, '100', '4821')
    await setPin(store, '800', '5937')

    const phones: Record<string, DeskPhone> = {}
    for (const user of ['100', '800', '1001', '1002', '101']) phones[user] = await pbx.phone(user)
    const phonesRegisteredAt = Date.now()
    const phone = (user: string): DeskPhone => phones[user] as DeskPhone
    const mark = (): Record<string, number> =>
      Object.fromEntries(Object.entries(phones).map(([u, p]) => [u, p.notifies().length]))
    const regMark = (): number => phone('101').registrationNotifies().length

    await t.test('each phone starts dark, showing its own account', (t) => {
      t.plan(6)
      // 101 registered right after 800's phone: sofia swallowed its REGISTER query for 800@ (30 s debounce per
      // account), so nobody answered its registration; its subscription (to 101@) was answered.
      t.same(phone('101').registrationNotifies(), [], 'phone 101: no lamp on its registration yet')
      for (const user of ['100', '800', '1001', '1002', '101']) {
        t.match(phone(user).lamp(), {
          waiting: false,
          voiceMessage: '0/0 (0/0)',
          account: `sip:${user}@${DOMAIN}`,
        })
      }
    })

    await t.test('a deposit lights the personal box own phone', async (t) => {
      const before = mark()
      await leaveMessage(pbx, '100')
      const got = await phone('100').waitFor(lampIs(true, '1/0 (0/0)', '100'), 20_000, before['100'])
      t.ok(got, 'phone 100: Messages-Waiting yes, 1/0 (0/0) for sip:100')
    })

    await t.test(
      'an urgent deposit in the general box lights 800, its mwiAccounts and its mwi-account phone',
      async (t) => {
        const before = mark()
        const reg = regMark()
        await leaveMessage(pbx, '800', { urgent: true })
        t.ok(
          await phone('800').waitFor(lampIs(true, '1/0 (1/0)', '800'), 20_000, before['800']),
          'phone 800 (own account)',
        )
        t.ok(
          await phone('1001').waitFor(lampIs(true, '1/0 (1/0)', '1001'), 20_000, before['1001']),
          'phone 1001 (mwiAccounts)',
        )
        t.ok(
          await phone('1002').waitFor(lampIs(true, '1/0 (1/0)', '1002'), 20_000, before['1002']),
          'phone 1002 (mwiAccounts)',
        )
        t.ok(
          await phone('101').waitForRegistration(lampIs(true, '1/0 (1/0)', '800'), 20_000, reg),
          'phone 101 (directory mwi-account=800): FreeSWITCH notifies its registration with 800s account',
        )
      },
    )

    await t.test('1001 has its own box too: its lamp is the sum of both boxes', async (t) => {
      const before = mark()
      await leaveMessage(pbx, '1001')
      const got = await phone('1001').waitFor(lampIs(true, '2/0 (1/0)', '1001'), 20_000, before['1001'])
      t.ok(got, 'phone 1001: 1 new in 1001 + 1 urgent new in 800')
    })

    await t.test(
      'the owner deletes through 5001: the lamp goes out at once, before the hang-up',
      async (t) => {
        const before = mark()
        const owner = await ownerLogin(pbx, { fromUser: '100', pin: '4821' })
        await owner.menu('1') // new messages
        await owner.menu('7') // after the message: delete
        t.ok(
          await phone('100').waitFor(lampIs(false, '0/0 (0/0)', '100'), 20_000, before['100']),
          'phone 100 dark',
        )
        t.ok(await owner.alive(), 'the owner is still on the call')
        await owner.menu('#') // main menu: goodbye
        await owner.call.ended()
        t.same(await pbx.messages('100'), [], 'the deleted message is purged at hang-up')
      },
    )

    await t.test(
      'the owner of 800 saves through 800 (login): every phone that follows 800 changes at once',
      async (t) => {
        const before = mark()
        const reg = regMark()
        const owner = await ownerLogin(pbx, { dial: '800', fromUser: '1002', pin: '5937' })
        await owner.menu('1')
        await owner.menu('2') // after the message: save
        t.ok(
          await phone('800').waitFor(lampIs(false, '0/1 (0/1)', '800'), 20_000, before['800']),
          'phone 800',
        )
        t.ok(
          await phone('1001').waitFor(lampIs(true, '1/1 (0/1)', '1001'), 20_000, before['1001']),
          'phone 1001: its own new one + 800s saved one',
        )
        t.ok(
          await phone('1002').waitFor(lampIs(false, '0/1 (0/1)', '1002'), 20_000, before['1002']),
          'phone 1002',
        )
        t.ok(
          await phone('101').waitForRegistration(lampIs(false, '0/1 (0/1)', '800'), 20_000, reg),
          'phone 101 (mwi-account)',
        )
        t.ok(await owner.alive(), 'the owner is still on the call')
        await owner.call.hangup()
        await owner.call.ended()
      },
    )

    await t.test('phones that register or subscribe late get the lamp from the query answer', async (t) => {
      // FreeSWITCH asks on REGISTER (after a fresh challenge) at most once per 30 s per MWI account
      // (debounce_check, sofia_reg.c): 800's phone registered at the start (and 101's query was swallowed).
      await waitOutRegisterDebounce(phonesRegisteredAt)
      const since = pbx.esl.events.length
      const p102 = await pbx.phone('102') // directory mwi-account=800, registers now
      const viaRegister = await p102.waitForRegistration(lampIs(false, '0/1 (0/1)', '800'), 20_000)
      t.ok(viaRegister, 'phone 102 (mwi-account=800): 800s lamp on its registration')
      const query = await pbx.esl.waitFor(
        (e) => e.name === 'MESSAGE_QUERY' && e.get('VM-Call-ID') !== undefined,
        10_000,
        since,
      )
      t.equal(
        query.get('Message-Account'),
        `sip:800@${DOMAIN}`,
        'the REGISTER query asks for the mwi-account',
      )
      const answer = await pbx.esl.waitFor(
        (e) => e.name === 'MESSAGE_WAITING' && e.get('Call-ID') === query.get('VM-Call-ID'),
        10_000,
        since,
      )
      t.equal(
        answer.get('MWI-Voice-Message'),
        '0/1 (0/1)',
        'the daemon answered that registration (Call-ID echoed from VM-Call-ID) with 800s counts',
      )
      t.equal(answer.get('Update-Reason'), undefined, 'an answer, not a push')

      const second = await pbx.phone('1001') // a second device of 1001 subscribes now
      t.ok(
        await second.waitFor(lampIs(true, '1/1 (0/1)', '1001'), 20_000),
        'a late subscription of 1001 gets the sum of 1001 and 800 too',
      )
      const subAnswer = await pbx.esl.waitFor(
        (e) =>
          e.name === 'MESSAGE_WAITING' &&
          e.get('sub-call-id') !== undefined &&
          e.get('MWI-Message-Account') === `sip:1001@${DOMAIN}`,
        10_000,
        since,
      )
      t.equal(subAnswer.get('MWI-Voice-Message'), '1/1 (0/1)', 'the SUBSCRIBE answer, routed by sub-call-id')
    })

    await t.test('every phone saw only its own account in its subscription', (t) => {
      t.plan(6)
      for (const [user, p] of Object.entries(phones)) {
        const accounts = new Set(p.notifies().map((n) => n.account))
        t.same([...accounts], [`sip:${user}@${DOMAIN}`], `phone ${user}`)
      }
      const accounts101 = new Set(
        phone('101')
          .registrationNotifies()
          .map((n) => n.account),
      )
      t.same([...accounts101], [`sip:800@${DOMAIN}`], 'phone 101 registration: 800 only')
    })
  })
}
