import t from 'tap'
import { readdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { startHarness } from '../support/daemon-harness.js'
import type { CallerAction, CallerScript } from '../support/freeswitch/index.js'
import {
  AFTER_MESSAGE,
  check,
  lampReasons,
  MAIN_MENU,
  onEach,
  ownerConfig,
  PIN,
  plant,
  playedAt,
  setPin,
} from './owner-fixture.js'

const config = ownerConfig({
  mailboxes: [
    { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', email: ['alice@example.com'] },
    { id: '101', domain: 'pbx.test', kind: 'personal', name: 'Bob', email: ['bob@example.com'] },
    { id: '102', domain: 'pbx.test', kind: 'personal', name: 'Full', quotaBytes: 100000 },
  ],
})
/** Log in to 100, listen to new messages, press 8 at the first after-message menu and 2 (save) at the second. */
function forwardScript(entries: string[], choice: string, extra: CallerAction[] = []): CallerScript {
  return {
    variables: check('100'),
    entries: [`${PIN}#`, ...entries],
    actions: [
      ...onEach(MAIN_MENU, ['1', '#']),
      ...onEach(AFTER_MESSAGE, ['8', '2']),
      { when: { onPlayback: /forward-intro-or-send/ }, press: choice },
      ...extra,
    ],
  }
}

void t.test(
  '8 forwards a copy into another box: a new message there, with its own mail and lamp',
  async (t) => {
    const h = await startHarness(t, { config })
    await setPin(h, '100')
    const original = await plant(h, '100', { urgent: true, callerIdNumber: '5550100' })
    const transcript = await h.call(forwardScript(['555#', '101#'], '8')).finished

    t.ok(
      playedAt(transcript, /vm-that_was_an_invalid_ext/) >= 0,
      'an unknown box number is refused, asked again',
    )
    t.ok(playedAt(transcript, /message-forwarded/) >= 0, '"the message has been forwarded"')
    const [copy] = await h.messages('101')
    t.ok(copy, 'box 101 has the message')
    t.equal(copy?.folder, 'new', 'as a new message')
    t.equal(copy?.forwardedFrom, '100@pbx.test', 'marked as forwarded from 100')
    t.equal(copy?.callerIdNumber, '5550100', 'with the original caller')
    t.equal(copy?.urgent, true, 'and its urgency')
    t.equal(copy?.sizeBytes, original.sizeBytes, 'an exact copy of the audio')
    t.not(copy?.file, original.file, 'in its own file')
    const mails = await h.app.store.db.all<{ kind: string; recipients: string }>(
      `SELECT kind, recipients FROM mail_outbox WHERE kind = 'new-message'`,
    )
    t.ok(
      mails.some((m) => /bob@example\.com/.test(m.recipients)),
      'new-message mail to the target box',
    )
    t.ok(lampReasons(h, '101@pbx.test').includes('NEW'), 'target lamp lit')
    t.equal((await h.messages('100'))[0]?.folder, 'saved', 'the original stays (and was then saved)')
  },
)

void t.test('8 then 1: a spoken introduction is joined in front of the message, one WAV', async (t) => {
  const h = await startHarness(t, { config })
  await setPin(h, '100')
  const original = await plant(h, '100', { speechMs: 8000 })
  await h.call({ ...forwardScript(['101#'], '1'), records: [{ speakMs: 3000, then: { press: '#' } }] })
    .finished
  const [copy] = await h.messages('101')
  t.ok(copy, 'forwarded')
  const introBytes = (copy?.sizeBytes ?? 0) - original.sizeBytes
  t.ok(introBytes >= 2900 * 16 && introBytes <= 3300 * 16, `intro audio added in front (${introBytes} bytes)`)
  t.ok(
    (copy?.durationMs ?? 0) >= 10900 && (copy?.durationMs ?? 0) <= 11300,
    `duration intro + message (${copy?.durationMs} ms)`,
  )
  const info = await h.app.deps.files.inspect(h.app.deps.files.fromStored(copy?.file ?? ''))
  t.equal(info.sampleRate, 8000, 'a valid 8 kHz WAV')
  t.equal(info.dataBytes + 44, copy?.sizeBytes, 'header matches the data')
  const files = await readdir(dirname(h.app.deps.files.fromStored(copy?.file ?? '')))
  t.equal(files.filter((f) => f.endsWith('.wav')).length, 1, 'the separate intro file is gone')
})

void t.test('forwarding into a full box is refused and writes nothing', async (t) => {
  const h = await startHarness(t, { config })
  await setPin(h, '100')
  await plant(h, '100', { speechMs: 8000 })
  const transcript = await h.call(forwardScript(['102#'], '8')).finished
  t.ok(playedAt(transcript, /forward-target-full/) >= 0, '"that mailbox is full"')
  t.notOk(playedAt(transcript, /forward-intro-or-send/) >= 0, 'refused before asking for an introduction')
  t.equal((await h.messages('102')).length, 0, 'nothing stored in the full box')
  const dir = h.app.deps.files.boxDir('pbx.test', '102')
  t.same(
    (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.wav')),
    [],
    'no file left behind',
  )
})
