import t from 'tap'
import { startHarness } from '../support/daemon-harness.js'
import {
  check,
  login,
  MAIN_MENU,
  menu5000,
  ownerConfig,
  PIN,
  plant,
  playbacks,
  playedAt,
  says,
  setPin,
} from './owner-fixture.js'

/** Press `#` at the first main menu: log in, hear the counts, leave. */
const exitAtMainMenu = [{ when: { onPlayback: MAIN_MENU }, press: '#' }]

void t.test("dual mode: 5001 opens the caller's own box, asks the PIN, announces the counts", async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  await setPin(h, '100')
  await setPin(h, '800', '7391')
  await plant(h, '100', { urgent: true })
  await plant(h, '100')
  await plant(h, '100', { folder: 'saved' })
  const transcript = await h.call({ variables: check('100'), entries: [`${PIN}#`], actions: exitAtMainMenu })
    .finished

  const pagd = transcript.executes.filter((e) => e.app === 'play_and_get_digits')
  t.equal(pagd.length, 1, 'one PIN entry')
  t.match(pagd[0]?.arg, /vm-enter_pass\.wav/, 'asked for the PIN')
  t.same(
    says(transcript)
      .slice(0, 3)
      .map((s) => s.split(' ').pop()),
    ['2', '1', '1'],
    '"2 new, 1 urgent, 1 saved"',
  )
  t.ok(playedAt(transcript, MAIN_MENU) >= 0, 'main menu offered')
  t.ok(playedAt(transcript, /vm-goodbye/) > playedAt(transcript, MAIN_MENU), '# says goodbye')
  t.ok(
    transcript.executes.some((e) => e.app === 'set' && e.arg === 'timezone=America/Chicago'),
    'dates in the box timezone',
  )
  t.same(transcript.violations, [], 'no protocol violations')
})

void t.test("unified mode: 5001 from any phone opens the domain's one general box", async (t) => {
  const h = await startHarness(t, { config: ownerConfig({}, 'unified') })
  await setPin(h, '100')
  await setPin(h, '800', '7391')
  await plant(h, '800')
  const wrong = await h.call({ variables: check('100'), entries: [`${PIN}#`, '', ''] }).finished
  t.notOk(playedAt(wrong, MAIN_MENU) >= 0, 'the personal PIN does not open the unified box')
  const transcript = await h.call({ variables: check('101'), entries: ['7391#'], actions: exitAtMainMenu })
    .finished
  t.ok(playedAt(transcript, MAIN_MENU) >= 0, 'logged in with the unified box PIN')
  t.equal(says(transcript)[0]?.split(' ').pop(), '1', 'counts of box 800 (1 new)')
})

void t.test('5000: a wrong box number is refused and asked again, then the right one logs in', async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  await setPin(h, '101')
  const transcript = await h.call({
    variables: menu5000,
    entries: ['999#', '101#', `${PIN}#`],
    actions: exitAtMainMenu,
  }).finished
  const pagd = transcript.executes.filter((e) => e.app === 'play_and_get_digits').map((e) => e.arg)
  t.match(pagd[0], /vm-enter_id\.wav/, 'asks for the mailbox number')
  t.match(pagd[1], /vm-enter_id\.wav/, 'asks again')
  t.match(pagd[2], /vm-enter_pass\.wav/, 'then the PIN')
  t.ok(playedAt(transcript, /vm-that_was_an_invalid_ext/) >= 0, '"that was an invalid extension"')
  t.ok(playedAt(transcript, MAIN_MENU) >= 0, 'logged in to 101')
})

void t.test('5000: nothing entered three times ends the call', async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  const transcript = await h.call({ variables: menu5000 }).finished
  t.equal(transcript.executes.filter((e) => e.app === 'play_and_get_digits').length, 3, 'three tries')
  t.ok(playedAt(transcript, /vm-goodbye/) >= 0, 'goodbye')
})

void t.test('* during the greeting of a box asks its PIN and logs in', async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  await setPin(h, '100')
  const transcript = await h.call({
    variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' },
    callerIdNumber: '5559999',
    actions: [{ when: { onPlayback: /vm-person/, afterMs: 300 }, press: '*' }, ...exitAtMainMenu],
    entries: [`${PIN}#`],
  }).finished
  t.notOk(
    transcript.executes.some((e) => e.app === 'record'),
    'no message recorded',
  )
  t.ok(playedAt(transcript, MAIN_MENU) >= 0, 'logged in from the greeting')
})

void t.test('login: a general box dialled by its extension', async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  await setPin(h, '800', '7391')
  const transcript = await h.call({ variables: login('800'), entries: ['7391#'], actions: exitAtMainMenu })
    .finished
  t.ok(playedAt(transcript, MAIN_MENU) >= 0, 'logged in to the general box')
})

void t.test('a wrong PIN three times ends the call without the menu', async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  await setPin(h, '100')
  const transcript = await h.call({ variables: check('100'), entries: ['1111#', '2222#', '3333#', PIN] })
    .finished
  t.equal(
    transcript.executes.filter((e) => e.app === 'play_and_get_digits').length,
    3,
    'three tries, no fourth',
  )
  t.equal(
    playbacks(transcript).filter((p) => /vm-fail_auth/.test(p)).length,
    3,
    '"login incorrect" after each try',
  )
  t.ok(playedAt(transcript, /vm-abort/) >= 0, 'then "too many failed attempts"')
  t.notOk(playedAt(transcript, MAIN_MENU) >= 0, 'no main menu')
  t.ok(playedAt(transcript, /vm-goodbye/) >= 0, 'goodbye')
  t.ok(
    transcript.commands.some(
      (c) => c.line === 'sendmsg' && c.headers.some(([k, v]) => k === 'call-command' && v === 'hangup'),
    ),
    'the daemon hangs up',
  )
  const box = await h.box('100')
  t.equal(
    await h.app.store.loginFailures.countSince(box.rowId, 0),
    3,
    'three failures counted for the lockout',
  )
})

void t.test('unknown or disabled boxes, boxes without a PIN', async (t) => {
  const h = await startHarness(t, {
    config: ownerConfig({
      mailboxes: [
        { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice' },
        { id: '102', domain: 'pbx.test', kind: 'personal', name: 'Off', enabled: false, pin: '4821' },
      ],
    }),
  })
  const unknown = await h.call({ variables: login('555') }).finished
  t.ok(playedAt(unknown, /mailbox-unavailable/) >= 0, 'unknown box: not available')
  const disabled = await h.call({ variables: login('102'), entries: [`${PIN}#`] }).finished
  t.ok(playedAt(disabled, /mailbox-unavailable/) >= 0, 'disabled box: not available')
  t.equal(disabled.executes.filter((e) => e.app === 'play_and_get_digits').length, 0, 'no PIN asked')
  const noPin = await h.call({ variables: login('100'), entries: [`${PIN}#`] }).finished
  t.ok(playedAt(noPin, /no-pin-set/) >= 0, "no PIN and not the owner's phone: refused")
  t.notOk(playedAt(noPin, MAIN_MENU) >= 0, 'not logged in')
})

void t.test('announcement warns at 90 % of the quota and when the box is full', async (t) => {
  const h = await startHarness(t, {
    config: ownerConfig({
      mailboxes: [
        { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Nearly', quotaBytes: 1000000 },
        { id: '101', domain: 'pbx.test', kind: 'personal', name: 'Full', quotaBytes: 130000 },
      ],
    }),
  })
  await setPin(h, '100')
  await setPin(h, '101')
  await plant(h, '100', { speechMs: 57000 }) // 912,044 bytes: 91 %, room for 4 s
  await plant(h, '101', { speechMs: 8000 }) // no room for a 3 s message
  const nearly = await h.call({ variables: check('100'), entries: [`${PIN}#`], actions: exitAtMainMenu })
    .finished
  t.ok(playedAt(nearly, /mailbox-almost-full/) >= 0, '90 %: "your mailbox is almost full"')
  t.notOk(playedAt(nearly, /mailbox-full-owner/) >= 0, 'not "full"')
  const full = await h.call({ variables: check('101'), entries: [`${PIN}#`], actions: exitAtMainMenu })
    .finished
  t.ok(playedAt(full, /mailbox-full-owner/) >= 0, 'full: "callers cannot leave messages"')
  t.ok(playedAt(full, /mailbox-full-owner/) < playedAt(full, MAIN_MENU), 'before the main menu')
})

void t.test('5001 from a phone FreeSWITCH knows creates its personal box and starts the setup', async (t) => {
  const h = await startHarness(t, { config: ownerConfig(), users: ['103@pbx.test'] })
  const transcript = await h.call({
    variables: check('103'),
    entries: ['582913#', '582913#'],
    records: [{ speakMs: 2000, then: { press: '#' } }],
    actions: [{ when: { onPlayback: /vm-listen_to_recording/ }, press: '2' }, ...exitAtMainMenu],
  }).finished
  const box = await h.box('103')
  t.equal(box.kind, 'personal', 'box 103 auto-provisioned')
  t.ok(playedAt(transcript, /first-login/) >= 0, 'first-login setup')
  t.ok(playedAt(transcript, MAIN_MENU) >= 0, 'then the main menu')
  const stranger = await h.call({ variables: check('104'), entries: ['582913#'] }).finished
  t.ok(playedAt(stranger, /mailbox-unavailable/) >= 0, 'an extension FreeSWITCH does not know gets no box')
})
