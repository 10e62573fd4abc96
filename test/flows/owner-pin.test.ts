import t from 'tap'
import { verifyPin } from '../../lib/store/pin.js'
import { startHarness } from '../support/daemon-harness.js'
import { check, login, MAIN_MENU, ownerConfig, playbacks, playedAt, setPin } from './owner-fixture.js'

const exitAtMainMenu = { when: { onPlayback: MAIN_MENU }, press: '#' }
const saveAtReview = { when: { onPlayback: /vm-listen_to_recording/ }, press: '2' }

void t.test(
  'first login with a temporary PIN: every weak PIN is refused with its reason, then a name',
  async (t) => {
    const h = await startHarness(t, {
      config: ownerConfig({
        menus: { retries: 10 },
        mailboxes: [{ id: '4826', domain: 'pbx.test', kind: 'general', name: 'Desk' }],
      }),
    })
    await setPin(h, '4826', '7391', true)
    const transcript = await h.call({
      variables: login('4826'),
      entries: [
        '7391#', // the temporary PIN
        '12#',
        '12345678901#',
        '1234#',
        '0000#',
        '2345#',
        '4826#',
        '12*4#',
        '582913#',
        '582914#', // mismatch
        '582913#',
        '582913#',
      ],
      records: [{ speakMs: 2000, then: { press: '#' } }],
      actions: [saveAtReview, exitAtMainMenu],
    }).finished

    const reasons = playbacks(transcript)
      .map((p) => /\/(pin[s]?-[a-z-]+)\.wav$/.exec(p)?.[1])
      .filter((r) => r !== undefined)
    t.same(
      reasons,
      [
        'pin-too-short',
        'pin-too-long',
        'pin-common',
        'pin-repeated',
        'pin-sequence',
        'pin-mailbox-number',
        'pin-not-digits',
        'pins-do-not-match',
      ],
      'each refusal spoken with its reason, in order',
    )
    t.ok(playedAt(transcript, /first-login\.wav/) >= 0, 'first-login welcome')
    t.ok(playedAt(transcript, /vm-password_has_been_changed/) >= 0, '"your password has been changed"')
    t.ok(playedAt(transcript, /record-name-now\.wav/) >= 0, 'then asked to record a name')
    t.ok(playedAt(transcript, MAIN_MENU) > playedAt(transcript, /greeting-saved/), 'then the main menu')

    const box = await h.box('4826')
    t.equal(box.pinTemporary, false, "the new PIN is the owner's own")
    t.ok(await verifyPin('582913', box.pinHash ?? ''), 'the new PIN is stored')
    const name = await h.app.store.greetings.get(box.rowId, 'name')
    t.ok(name !== undefined && name.durationMs >= 1900, 'the name is recorded')
    const audit = (await h.app.store.audit.listRecent(10, box.rowId)).map((e) => e.action)
    t.ok(audit.includes('pin.changed') && audit.includes('greeting.recorded'), 'audited')
    t.notMatch(
      JSON.stringify(await h.app.store.audit.listRecent(10, box.rowId)),
      /582913/,
      'the PIN is not in the audit log',
    )
  },
)

void t.test(
  "no PIN at all: the owner's own phone (5001) sets one up; a hangup during the name keeps no name",
  async (t) => {
    const h = await startHarness(t, { config: ownerConfig() })
    const transcript = await h.call({
      variables: check('100'),
      entries: ['582913#', '582913#'],
      records: [{ speakMs: 2000, then: 'hangup' }],
    }).finished
    t.equal(transcript.executes.filter((e) => e.app === 'record').length, 1, 'asked to record the name')
    const box = await h.box('100')
    t.ok(await verifyPin('582913', box.pinHash ?? ''), 'PIN set')
    t.equal(await h.app.store.greetings.get(box.rowId, 'name'), undefined, 'unconfirmed name not kept')
  },
)

void t.test('a temporary PIN does not get in without choosing a new one', async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  await setPin(h, '100', '7391', true)
  const transcript = await h.call({ variables: check('100'), entries: ['7391#'] }).finished
  t.equal(
    transcript.executes.filter((e) => e.app === 'play_and_get_digits').length,
    4,
    'PIN, then 3 rounds of new PIN',
  )
  t.notOk(playedAt(transcript, MAIN_MENU) >= 0, 'no main menu')
  t.equal((await h.box('100')).pinTemporary, true, 'still temporary')
})
