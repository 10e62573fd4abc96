import t from 'tap'
import { existsSync } from 'node:fs'
import { verifyPin } from '../../lib/store/pin.js'
import { startHarness } from '../support/daemon-harness.js'
import { check, MAIN_MENU, onEach, ownerConfig, PIN, playbacks, playedAt, setPin } from './owner-fixture.js'

const OPTIONS = /options-menu\.wav/
const REVIEW = /vm-listen_to_recording\.wav!.*vm-save_recording\.wav!.*vm-rerecord\.wav/
const optionsThenExit = onEach(MAIN_MENU, ['5', '#'])

void t.test('options 1: record the unavailable greeting with listen, re-record, save', async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  await setPin(h, '100')
  const transcript = await h.call({
    variables: check('100'),
    entries: [`${PIN}#`],
    records: [
      { speakMs: 3000, then: { press: '#' } },
      { speakMs: 5000, then: { press: '#' } },
    ],
    actions: [...optionsThenExit, ...onEach(OPTIONS, ['1', '0']), ...onEach(REVIEW, ['1', '3', '2'])],
  }).finished
  const [first, second] = transcript.recordedFiles
  t.ok(first !== undefined && second !== undefined, 'recorded twice')
  t.ok(playbacks(transcript).includes(first ?? ''), '1 played the take back')
  t.notOk(existsSync(first ?? ''), 'the re-recorded take is removed')
  const box = await h.box('100')
  const greeting = await h.app.store.greetings.get(box.rowId, 'unavailable')
  t.equal(
    greeting?.file,
    h.app.deps.files.toStored(second ?? ''),
    'the second take is the unavailable greeting',
  )
  t.ok((greeting?.durationMs ?? 0) >= 4900, `with its duration (${greeting?.durationMs} ms)`)
  t.ok(playedAt(transcript, /greeting-saved/) >= 0, '"your recording has been saved"')
  t.ok(
    playedAt(transcript, MAIN_MENU) < playedAt(transcript, /vm-goodbye/),
    '0 went back to the main menu, # left',
  )
  t.match(
    transcript.recordedFiles[0],
    /\/greetings\/unavailable-[0-9a-f-]{36}\.wav$/,
    'greeting file beside the messages',
  )

  const deposit = await h.call({
    variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' },
    actions: [{ when: { onPlayback: true, afterMs: 200 }, hangup: true }],
  }).finished
  t.match(playbacks(deposit)[0], second ?? '', 'callers now hear it')
})

void t.test(
  'options 2 and 3: busy greeting and name; a recording replaced removes the old file',
  async (t) => {
    const h = await startHarness(t, { config: ownerConfig() })
    await setPin(h, '100')
    const transcript = await h.call({
      variables: check('100'),
      entries: [`${PIN}#`],
      records: [{ speakMs: 2500, then: { press: '#' } }],
      actions: [
        ...optionsThenExit,
        ...onEach(OPTIONS, ['2', '3', '3', '0']),
        ...onEach(REVIEW, ['2', '2', '2']),
      ],
    }).finished
    const [busy, name1, name2] = transcript.recordedFiles
    const box = await h.box('100')
    t.equal(
      (await h.app.store.greetings.get(box.rowId, 'busy'))?.file,
      h.app.deps.files.toStored(busy ?? ''),
      'busy greeting',
    )
    t.equal(
      (await h.app.store.greetings.get(box.rowId, 'name'))?.file,
      h.app.deps.files.toStored(name2 ?? ''),
      'name',
    )
    t.notOk(existsSync(name1 ?? ''), 'the replaced name file is removed')
    t.ok(playedAt(transcript, /record-name-now/) >= 0, 'name has its own instructions')
  },
)

void t.test('options 4: temporary greeting, recorded then removed', async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  await setPin(h, '100')
  const transcript = await h.call({
    variables: check('100'),
    entries: [`${PIN}#`],
    records: [{ speakMs: 2500, then: { press: '#' } }],
    actions: [
      ...optionsThenExit,
      ...onEach(OPTIONS, ['4', '4', '0']),
      ...onEach(/record-temporary-or-remove/, ['1', '2']),
      ...onEach(REVIEW, ['2']),
    ],
  }).finished
  const [temporary] = transcript.recordedFiles
  t.match(temporary, /\/greetings\/temporary-/, 'recorded a temporary greeting')
  const active = playedAt(transcript, /temporary-greeting-active/)
  t.ok(active > playedAt(transcript, /greeting-saved/), 'the second visit says it is on')
  t.ok(playedAt(transcript, /temporary-greeting-removed/) > active, 'then 2 removed it')
  const box = await h.box('100')
  t.equal(await h.app.store.greetings.get(box.rowId, 'temporary'), undefined, 'no temporary greeting left')
  t.notOk(existsSync(temporary ?? ''), 'its file is removed')
  const audit = (await h.app.store.audit.listRecent(10, box.rowId)).map((e) => e.action)
  t.ok(audit.includes('greeting.recorded') && audit.includes('greeting.removed'), 'audited')
})

void t.test('options 5: choose which greeting callers hear', async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  await setPin(h, '100')
  const transcript = await h.call({
    variables: check('100'),
    entries: [`${PIN}#`],
    actions: [
      ...optionsThenExit,
      ...onEach(OPTIONS, ['5', '5', '0']),
      ...onEach(/choose-active-greeting/, ['3', '2']),
    ],
  }).finished
  t.equal(
    playbacks(transcript).filter((p) => /vm-greeting\.wav!.*vm-selected\.wav/.test(p)).length,
    2,
    '"greeting selected" twice',
  )
  const box = await h.box('100')
  t.equal(box.activeGreeting, 'busy', 'the last choice is active')
  const kinds = (await h.app.store.audit.listRecent(10, box.rowId))
    .filter((e) => e.action === 'greeting.activated')
    .map((e) => e.detail.kind)
  t.same(kinds, ['busy', 'name'], 'each choice audited (newest first)')
})

void t.test('options 6: change the PIN (policy checked, twice)', async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  await setPin(h, '100')
  const transcript = await h.call({
    variables: check('100'),
    entries: [`${PIN}#`, '1111#', '582913#', '582913#'],
    actions: [...optionsThenExit, ...onEach(OPTIONS, ['6', '0'])],
  }).finished
  t.ok(playedAt(transcript, /pin-repeated/) >= 0, 'a weak PIN is refused with its reason')
  t.ok(playedAt(transcript, /vm-password_has_been_changed/) >= 0, '"your password has been changed"')
  const box = await h.box('100')
  t.ok(await verifyPin('582913', box.pinHash ?? ''), 'the new PIN works')
  t.notOk(await verifyPin(PIN, box.pinHash ?? ''), 'the old one does not')
})
