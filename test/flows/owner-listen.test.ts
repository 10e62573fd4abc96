import t from 'tap'
import { existsSync } from 'node:fs'
import { unlink } from 'node:fs/promises'
import { startHarness } from '../support/daemon-harness.js'
import {
  AFTER_MESSAGE,
  audioOf,
  check,
  lampReasons,
  MAIN_MENU,
  messageAudio,
  onEach,
  ownerConfig,
  PIN,
  plant,
  playbacks,
  playedAt,
  says,
  setPin,
} from './owner-fixture.js'

const listenNewThenExit = onEach(MAIN_MENU, ['1', '#'])

void t.test(
  'new messages play urgent first, then oldest first, each with its envelope; heard ones stay new',
  async (t) => {
    const h = await startHarness(t, { config: ownerConfig() })
    await setPin(h, '100')
    const oldest = await plant(h, '100', { minutesAgo: 120, callerIdNumber: '+1 (555) 010-0001' })
    const urgent = await plant(h, '100', { minutesAgo: 30, urgent: true })
    const middle = await plant(h, '100', { minutesAgo: 60, callerIdNumber: 'anonymous' })
    const transcript = await h.call({
      variables: check('100'),
      entries: [`${PIN}#`],
      actions: [...listenNewThenExit, ...onEach(AFTER_MESSAGE, ['3', '3', '3'])],
    }).finished

    const order = messageAudio(transcript)
    t.equal(order.length, 3, 'three messages played')
    t.match(order[0], audioOf(h, urgent), 'urgent first')
    t.match(order[1], audioOf(h, oldest), 'then the oldest')
    t.match(order[2], audioOf(h, middle), 'then the newer one')
    const said = says(transcript)
    t.ok(
      said.includes(`en short_date_time pronounced ${Math.floor(urgent.receivedAt / 1000)}`),
      'received date said',
    )
    t.ok(
      said.includes('en name_spelled iterated 15550100001'),
      'caller number said digit by digit, digits only',
    )
    t.ok(
      playedAt(transcript, /vm-message_from\.wav!ivr\/ivr-anonymous_caller/) >= 0,
      'no number: "anonymous caller"',
    )
    t.ok(said.includes('en time_measurement pronounced 8'), 'duration said')
    t.ok(playedAt(transcript, /vm-no_more_messages/) >= 0, '"no more messages" at the end')
    const after = await h.messages('100')
    t.ok(
      after.every((m) => m.folder === 'new' && m.heardAt !== undefined),
      'all heard, all still new (key 3)',
    )
    t.same(
      lampReasons(h, '100@pbx.test').filter((r) => r === 'READ').length,
      3,
      'lamp refreshed (READ) per message heard',
    )
  },
)

void t.test(
  'every after-message key: 0 repeat, 1 previous, 2 save, 3 next, 4 email, 7 delete/undelete, timeout saves',
  async (t) => {
    const h = await startHarness(t, { config: ownerConfig() })
    await setPin(h, '100')
    const a = await plant(h, '100', { minutesAgo: 30 })
    const b = await plant(h, '100', { minutesAgo: 20 })
    const c = await plant(h, '100', { minutesAgo: 10 })
    const transcript = await h.call({
      variables: check('100'),
      entries: [`${PIN}#`],
      actions: [
        ...listenNewThenExit,
        // A: repeat, save │ B: previous │ A: next │ B: email, delete │ C: previous │ B: undelete, next │ C: (timeout)
        ...onEach(AFTER_MESSAGE, ['0', '2', '1', '3', '4', '7', '1', '7', '3']),
      ],
    }).finished

    const order = messageAudio(transcript).map((p) => [a, b, c].findIndex((m) => audioOf(h, m).test(p)))
    t.same(
      order,
      [0, 0, 1, 0, 1, 2, 1, 2],
      'A, A (repeat), B, A (previous), B (next), C, B (previous), C (next)',
    )
    const byUuid = new Map((await h.messages('100')).map((m) => [m.uuid, m]))
    t.equal(byUuid.get(a.uuid)?.folder, 'saved', '2 saved A')
    t.equal(byUuid.get(b.uuid)?.folder, 'new', 'B stays new (3 = next)')
    t.equal(byUuid.get(b.uuid)?.deleted, false, 'B deleted then undeleted')
    t.equal(byUuid.get(c.uuid)?.folder, 'saved', 'no answer after C saved it')
    t.ok(
      playedAt(transcript, /vm-deleted\.wav/) >= 0 && playedAt(transcript, /vm-undeleted\.wav/) >= 0,
      'delete and undelete said',
    )
    t.ok(playedAt(transcript, /vm-emailed\.wav/) >= 0, '"emailed"')
    const mails = await h.app.store.db.all<{ kind: string; recipients: string }>(
      `SELECT kind, recipients FROM mail_outbox WHERE kind = 'message-copy'`,
    )
    t.equal(mails.length, 1, '4 queued one copy of the message')
    t.match(mails[0]?.recipients, /alice@example\.com/, 'to the box recipients')
    t.equal(byUuid.size, 3, 'emailing keeps the message')
    const reasons = lampReasons(h, '100@pbx.test')
    for (const reason of ['READ', 'SAVE', 'DELETE'])
      t.ok(reasons.includes(reason), `lamp refreshed during the call: ${reason}`)
    t.notOk(reasons.includes('PURGE'), 'nothing left deleted, nothing purged')
    t.notOk(playedAt(transcript, /vm-return_call/) >= 0, 'no callback offered without callback.context')
  },
)

void t.test('deleted messages are purged when the owner hangs up, files included', async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  await setPin(h, '100')
  const doomed = await plant(h, '100')
  const kept = await plant(h, '100', { minutesAgo: 5 })
  const file = h.app.deps.files.fromStored(doomed.file)
  await h.call({
    variables: check('100'),
    entries: [`${PIN}#`],
    actions: [
      ...onEach(MAIN_MENU, ['1']),
      { when: { onPlayback: AFTER_MESSAGE, nth: 2 }, hangup: true },
      ...onEach(AFTER_MESSAGE, ['7']),
    ],
  }).finished
  t.equal(h.app.server.liveCalls, 0, 'the call flow has ended')
  const left = await h.messages('100')
  t.same(
    left.map((m) => m.uuid),
    [kept.uuid],
    'the deleted message row is gone',
  )
  t.notOk(existsSync(file), 'its file is removed')
  const all = await h.app.store.messages.listAll((await h.box('100')).rowId)
  t.equal(all.length, 1, 'no deleted row left behind')
  const reasons = lampReasons(h, '100@pbx.test')
  t.ok(
    reasons.indexOf('DELETE') >= 0 && reasons.indexOf('DELETE') < reasons.indexOf('PURGE'),
    'DELETE at once, PURGE at hang-up',
  )
})

void t.test('during the audio: 6 skips ahead 5 s, 4 back 5 s, # stops; * skips the envelope', async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  await setPin(h, '100')
  const long = await plant(h, '100', { speechMs: 30000 })
  const audio = audioOf(h, long)
  const transcript = await h.call({
    variables: check('100'),
    entries: [`${PIN}#`],
    actions: [
      ...listenNewThenExit,
      { when: { onPlayback: /vm-message_number/ }, press: '*' },
      { when: { onPlayback: audio, nth: 1, afterMs: 1000 }, press: '6' },
      { when: { onPlayback: audio, nth: 2, afterMs: 500 }, press: '4' },
      { when: { onPlayback: audio, nth: 3, afterMs: 500 }, press: '#' },
      ...onEach(AFTER_MESSAGE, ['2']),
    ],
  }).finished
  const plays = messageAudio(transcript)
  t.equal(plays.length, 3, 'the message was played from three positions')
  t.notMatch(plays[0], /@@/, 'from the start')
  const ahead = Number(/@@(\d+)$/.exec(plays[1] ?? '')?.[1])
  t.ok(ahead >= 40000 + 7000 && ahead <= 40000 + 9000, `6 after ~1 s: restarts 5 s further (sample ${ahead})`)
  const back = Number(/@@(\d+)$/.exec(plays[2] ?? '')?.[1] ?? 0)
  // 4 pressed ~0.5 s (4000 samples) into the second play: 5 s (40000 samples) back from there.
  t.ok(
    back >= ahead + 3000 - 40000 && back <= ahead + 5000 - 40000,
    `4 after ~0.5 s: restarts 5 s earlier (sample ${back})`,
  )
  t.notOk(
    says(transcript).some((s) => s.includes('short_date_time')),
    '* skipped the rest of the envelope',
  )
  t.equal((await h.messages('100'))[0]?.folder, 'saved', '# then 2 saves')
})

void t.test(
  'unreadable audio (0 bytes, missing file) is skipped with a prompt and reported, never looped',
  async (t) => {
    const h = await startHarness(t, { config: ownerConfig() })
    await setPin(h, '100')
    const empty = await plant(h, '100', { minutesAgo: 90, empty: true })
    const gone = await plant(h, '100', { minutesAgo: 80 })
    await unlink(h.app.deps.files.fromStored(gone.file))
    const good = await plant(h, '100', { minutesAgo: 70 })
    const transcript = await h.call({
      variables: check('100'),
      entries: [`${PIN}#`],
      actions: [...listenNewThenExit, ...onEach(AFTER_MESSAGE, ['2'])],
    }).finished
    const prompts = transcript.executes.filter(
      (e) => e.app === 'playback' && /unreadable-message/.test(e.arg),
    )
    t.equal(prompts.length, 2, 'one "cannot be played" prompt per bad message')
    const plays = messageAudio(transcript)
    t.equal(plays.length, 1, 'only the good message is played')
    t.match(plays[0], audioOf(h, good), 'the good one')
    t.ok(playedAt(transcript, MAIN_MENU) >= 0, 'back to the main menu, no loop')
    const missing = (await h.messages('100')).find((m) => m.uuid === gone.uuid)
    t.equal(missing?.missing, true, 'the missing file is reported on the row')
    const audit = (await h.app.store.audit.listRecent(10, (await h.box('100')).rowId)).filter(
      (e) => e.action === 'message.unreadable',
    )
    t.equal(audit.length, 2, 'both reported in the audit log')
    t.ok(
      (await h.messages('100')).some((m) => m.uuid === empty.uuid && m.folder === 'new'),
      'the unreadable message is left for the operator',
    )
  },
)

void t.test('5 calls the sender back in the callback context, when one is configured', async (t) => {
  const h = await startHarness(t, { config: ownerConfig({ callback: { context: 'callback-out' } }) })
  await setPin(h, '100')
  await plant(h, '100', { callerIdNumber: '5550100' })
  const transcript = await h.call({
    variables: check('100'),
    entries: [`${PIN}#`],
    actions: [...listenNewThenExit, ...onEach(AFTER_MESSAGE, ['5'])],
  }).finished
  t.ok(playedAt(transcript, /vm-return_call/) >= 0, 'callback offered')
  const transfer = transcript.executes.find((e) => e.app === 'transfer')
  t.equal(
    transfer?.arg,
    '5550100 XML callback-out',
    'transferred to the caller number in the callback context',
  )
})

void t.test(
  '# at the after-message menu leaves the list for the main menu, the message untouched',
  async (t) => {
    const h = await startHarness(t, { config: ownerConfig() })
    await setPin(h, '100')
    await plant(h, '100', { minutesAgo: 20 })
    await plant(h, '100', { minutesAgo: 10 })
    const transcript = await h.call({
      variables: check('100'),
      entries: [`${PIN}#`],
      actions: [...listenNewThenExit, ...onEach(AFTER_MESSAGE, ['#'])],
    }).finished
    t.equal(messageAudio(transcript).length, 1, 'only the first message played')
    t.notOk(playedAt(transcript, /vm-no_more_messages/) >= 0, 'no "no more messages"')
    t.equal(playbacks(transcript).filter((p) => MAIN_MENU.test(p)).length, 2, 'back at the main menu')
    t.ok(
      (await h.messages('100')).every((m) => m.folder === 'new'),
      'both still new',
    )
  },
)

void t.test(
  'a menu key pressed during the audio acts at once (7 deletes without waiting for the menu)',
  async (t) => {
    const h = await startHarness(t, { config: ownerConfig() })
    await setPin(h, '100')
    const message = await plant(h, '100', { speechMs: 20000 })
    const transcript = await h.call({
      variables: check('100'),
      entries: [`${PIN}#`],
      actions: [
        ...onEach(MAIN_MENU, ['1', '#']),
        { when: { onPlayback: audioOf(h, message), afterMs: 2000 }, press: '7' },
      ],
    }).finished
    t.notOk(playedAt(transcript, AFTER_MESSAGE) >= 0, 'no after-message menu needed')
    t.ok(playedAt(transcript, /vm-deleted\.wav/) >= 0, '"deleted"')
    t.equal((await h.messages('100')).length, 0, 'purged at hang-up')
  },
)
