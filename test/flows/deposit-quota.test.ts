import t from 'tap'
import { startHarness } from '../support/daemon-harness.js'

const deposit100 = { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' }
const boxWithQuota = (quotaBytes: number): Record<string, unknown> => ({
  mailboxes: [{ id: '100', domain: 'pbx.test', kind: 'personal', email: ['alice@example.com'], quotaBytes }],
})

void t.test(
  'a full box: greeting, "mailbox full", no recording, and one notice for two callers',
  async (t) => {
    // 4 s of audio: less than the minimum message plus FreeSWITCH's one-second overrun.
    const h = await startHarness(t, { config: boxWithQuota(64000) })
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
  const h = await startHarness(t, { config: boxWithQuota(64000) })
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

void t.test('two concurrent callers into a nearly full box never overshoot the quota', async (t) => {
  const quota = 16000 * 15
  const h = await startHarness(t, { config: boxWithQuota(quota) })
  const script = { variables: deposit100, records: [{ speakMs: 20000, then: 'silence' as const }] }
  const [a, b] = await Promise.all([h.call(script).finished, h.call(script).finished])
  const messages = await h.messages('100')
  const total = messages.reduce((sum, m) => sum + m.sizeBytes, 0)
  t.ok(total <= quota, `stored ${total} bytes within the ${quota}-byte quota`)
  t.equal(messages.length, 1, 'one caller recorded (capped), the other was told the box is full')
  const toldFull = [a, b].filter((tr) => tr.executes.some((e) => e.arg.includes('vm-mailbox_full'))).length
  t.equal(toldFull, 1, 'the second caller heard "mailbox full"')
  const record = [a, b].flatMap((tr) => tr.executes).find((e) => e.app === 'record')
  t.match(
    record?.arg,
    / 13 200 3$/,
    'recording capped at 13 s (14 s of room, less the 1 s FreeSWITCH may overrun)',
  )
})
