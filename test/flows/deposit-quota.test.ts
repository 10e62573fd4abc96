import t from 'tap'
import type { Clock } from '../../lib/clock.js'
import { startHarness, type Harness } from '../support/daemon-harness.js'
import type { OutboundTranscript } from '../support/freeswitch/index.js'

const deposit100 = { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' }
const boxWithQuota = (quotaBytes: number): Record<string, unknown> => ({
  mailboxes: [{ id: '100', domain: 'pbx.test', kind: 'personal', email: ['alice@example.com'] }].map((b) => ({
    ...b,
    quotaBytes,
  })),
})
const seconds = (s: number): number => 44 + s * 16000
const heard = (transcript: OutboundTranscript, prompt: RegExp): boolean =>
  transcript.executes.some((e) => e.app === 'playback' && prompt.test(e.arg))

/**
 * The daemon's clock on the simulator's time: recordings are timed by the injected clock, and the simulator's
 * minutes pass in real seconds.
 */
function simulatedClock(): { clock: Clock; attach: (h: Harness) => void } {
  let harness: Harness | undefined
  const origin = Date.UTC(2026, 10, 26, 11, 0, 0)
  return {
    clock: { now: () => origin + Math.floor(harness?.sim.node.simNow() ?? 0) },
    attach: (h) => (harness = h),
  }
}

void t.test(
  'a full box: greeting, "mailbox full", no recording, and one notice for two callers',
  async (t) => {
    // 2.5 s of room: less than a minimum (3 s) message.
    const h = await startHarness(t, { config: boxWithQuota(seconds(2.5)) })
    for (let i = 0; i < 2; i++) {
      const transcript = await h.call({ variables: deposit100 }).finished
      const apps = transcript.executes.map((e) => `${e.app} ${e.arg}`)
      const greeting = apps.findIndex((a) => a.includes('vm-person'))
      const full = apps.findIndex((a) => a.includes('vm-mailbox_full'))
      t.ok(greeting >= 0 && full > greeting, `call ${i + 1}: "mailbox full" after the greeting`)
      t.notOk(
        transcript.executes.some((e) => e.app === 'record'),
        `call ${i + 1}: nothing recorded`,
      )
    }
    const notices = await h.app.store.db.all<{ id: number }>(
      "SELECT id FROM mail_outbox WHERE kind = 'mailbox-full'",
    )
    t.equal(notices.length, 1, 'exactly one mailbox-full notice for the episode')
    t.equal((await h.box('100')).fullNotified, true, 'episode recorded on the box')
  },
)

void t.test('the full-box notice is re-armed once usage falls under 90 %', async (t) => {
  const h = await startHarness(t, { config: boxWithQuota(seconds(2.5)) })
  await h.call({ variables: deposit100 }).finished
  const box = await h.box('100')
  await h.app.store.mailboxes.update(box.rowId, { quotaBytes: 10 * 1024 * 1024 })
  await h.call({
    variables: deposit100,
    actions: [{ when: { onRecord: true, afterMs: 4000 }, hangup: true }],
  }).finished
  t.equal((await h.box('100')).fullNotified, false, 'room again: re-armed')
  t.equal((await h.messages('100')).length, 1, 'and the caller left a message')
})

void t.test('a caller alone is capped at the room left, and told why the recording ended', async (t) => {
  const h = await startHarness(t, { config: boxWithQuota(seconds(14.5)) })
  const transcript = await h.call({ variables: deposit100, records: [{ speakMs: 20_000 }] }).finished
  const record = transcript.executes.find((e) => e.app === 'record')
  t.match(record?.arg, / 14 200 3$/, 'recording capped at the 14 whole seconds that fit')
  t.ok(heard(transcript, /vm-mailbox_full/), '"mailbox full" when the cap ended it')
  t.notOk(heard(transcript, /vm-listen_to_recording/), 'no review: there is no room to record again')
  t.ok(heard(transcript, /message-saved/), 'then "saved"')
  t.equal((await h.messages('100')).length, 1, 'the message is kept')
})

void t.test(
  'callers at once into a nearly full box: each let in leaves a message, the quota holds to 1 s each',
  async (t) => {
    const { clock, attach } = simulatedClock()
    const quota = seconds(15)
    // The simulator runs 5× faster than the wall clock; the quota watch looks every 10 real ms (50 simulated).
    const h = await startHarness(t, {
      config: boxWithQuota(quota),
      clock,
      timeScale: 0.2,
      quotaWatchMs: 10,
    })
    attach(h)
    const script = {
      variables: deposit100,
      records: [{ speakMs: 20_000 }],
      // A caller cut short hears why, then "saved"; one who gets the review menu would hang up.
      actions: [{ when: { onPlayback: /vm-listen_to_recording/ }, hangup: true as const }],
    }
    const transcripts = await Promise.all(Array.from({ length: 5 }, () => h.call(script).finished))

    const messages = await h.messages('100')
    const total = messages.reduce((sum, m) => sum + m.sizeBytes, 0)
    const recorded = transcripts.filter((tr) => tr.executes.some((e) => e.app === 'record'))
    const turnedAway = transcripts.filter((tr) => !tr.executes.some((e) => e.app === 'record'))
    // 15 s of room: each caller in flight counts for at least 3.5 s, so four get in and the fifth hears "full".
    t.equal(recorded.length, 4, 'four callers let in')
    t.equal(messages.length, 4, 'each of them left a message')
    t.ok(
      messages.every((m) => m.durationMs >= 3000),
      `none shorter than the minimum (${messages.map((m) => m.durationMs).join(', ')} ms)`,
    )
    t.ok(
      recorded.every((tr) => heard(tr, /vm-mailbox_full/) && heard(tr, /message-saved/)),
      'each was told the box is full, and that the message is saved',
    )
    t.equal(turnedAway.length, 1, 'one turned away')
    t.ok(
      turnedAway.every((tr) => heard(tr, /vm-mailbox_full/)),
      'and told the box is full',
    )
    t.ok(
      total <= quota + recorded.length * 16000,
      `the box holds ${total} bytes: over its ${quota}-byte quota by at most 1 s per recording caller`,
    )
    const notices = await h.app.store.db.all<{ id: number }>(
      "SELECT id FROM mail_outbox WHERE kind = 'mailbox-full'",
    )
    t.equal(notices.length, 1, 'one mailbox-full notice for the episode')
  },
)
