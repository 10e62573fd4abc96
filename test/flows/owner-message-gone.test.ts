import t from 'tap'
import type { Harness } from '../support/daemon-harness.js'
import { startHarness } from '../support/daemon-harness.js'
import type { SimCall } from '../support/freeswitch/index.js'
import type { Message } from '../../lib/store/types.js'
import {
  AFTER_MESSAGE,
  audioOf,
  check,
  MAIN_MENU,
  onEach,
  ownerConfig,
  PIN,
  plant,
  playedAt,
  setPin,
} from './owner-fixture.js'

/**
 * A message removed under a live owner session (the cleanup job, delete-after-email) is announced as "no longer
 * available" and skipped; the session goes on, with no "system error" and no hangup. The removal happens while
 * the message's audio plays (its 8 simulated seconds last 1.6 s of real time here: time enough for the job).
 */
const config = ownerConfig({
  mailboxes: [
    { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', email: ['alice@example.com'] },
    {
      id: '200',
      domain: 'pbx.test',
      kind: 'personal',
      name: 'Carol',
      email: ['carol@example.com'],
      keepAfterEmail: false,
    },
  ],
})

/** Resolves once the daemon has started playing `message`'s audio on `call`. */
async function whilePlaying(h: Harness, call: SimCall, message: Message): Promise<void> {
  const audio = audioOf(h, message)
  while (!call.transcript.executes.some((e) => e.app === 'playback' && audio.test(e.arg))) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

void t.test('delete-after-email removes the message being played: "no longer available"', async (t) => {
  const h = await startHarness(t, { config, timeScale: 0.2 })
  await setPin(h, '200')
  const box = await h.box('200')
  const message = await plant(h, '200', { speechMs: 8000 })
  await h.app.deps.mail.queueNewMessage(box, message)
  const call = h.call({
    variables: check('200'),
    entries: [`${PIN}#`],
    actions: onEach(MAIN_MENU, ['1', '#']),
  })
  await whilePlaying(h, call, message)
  await h.app.mailWorker.runDue()
  t.same(await h.messages('200'), [], 'the mail went out and the message was deleted')

  const transcript = await call.finished
  const gone = playedAt(transcript, /message-gone\.wav/)
  t.ok(gone >= 0, 'the owner hears that the message is no longer available')
  t.ok(playedAt(transcript, /vm-no_more_messages/) > gone, 'and the list goes on')
  t.equal(playedAt(transcript, /system-error/), -1, 'no system error')
  t.ok(playedAt(transcript, /vm-goodbye/) >= 0, 'the session ends normally, with goodbye')
})

void t.test('cleanup removes the message being played: "no longer available" at the next key', async (t) => {
  const h = await startHarness(t, { config, timeScale: 0.2 })
  await setPin(h, '100')
  const message = await plant(h, '100', { folder: 'saved', minutesAgo: 31 * 24 * 60, speechMs: 8000 })
  const call = h.call({
    variables: check('100'),
    entries: [`${PIN}#`],
    actions: [...onEach(MAIN_MENU, ['2', '#']), ...onEach(AFTER_MESSAGE, ['2'])],
  })
  await whilePlaying(h, call, message)
  t.match(await h.app.jobs.run('cleanup'), { expiredSaved: 1 }, 'retention removes it meanwhile')

  const transcript = await call.finished
  t.ok(playedAt(transcript, /message-gone\.wav/) >= 0, '2 (save) on a removed message: no longer available')
  t.equal(playedAt(transcript, /system-error/), -1, 'no system error')
  t.ok(playedAt(transcript, /vm-goodbye/) >= 0, 'the session ends normally, with goodbye')
})
