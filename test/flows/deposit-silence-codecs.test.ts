import t from 'tap'
import { startHarness } from '../support/daemon-harness.js'

const config = {
  mailboxes: [{ id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', email: ['a@example.com'] }],
}
const deposit100 = { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' }
const codecs = [
  { name: 'opus', rate: 48000 },
  { name: 'L16', rate: 16000 },
  { name: 'PCMU', rate: 8000 },
]

void t.test('silence ends a recording after silenceSeconds on every codec', async (t) => {
  const h = await startHarness(t, { config })
  for (const codec of codecs) {
    // The caller speaks 2 s and falls silent, then hangs up once the recording has ended.
    const transcript = await h.call({
      variables: deposit100,
      readCodec: codec,
      records: [{ speakMs: 2000 }],
      actions: [{ when: { onPlayback: /vm-listen_to_recording/ }, hangup: true }],
    }).finished
    const record = transcript.executes.find((e) => e.app === 'record')
    t.match(
      record?.arg,
      new RegExp(` 200 ${(3 * codec.rate) / 8000}$`),
      `${codec.name}: 3 s given as hits of a ${codec.rate} Hz call`,
    )
  }
  const durations = (await h.messages('100')).map((m) => m.durationMs).sort((a, b) => a - b)
  t.same(durations, [5000, 5000, 5000], '2 s of speech and 3 s of silence each: none cut at the first pause')
})
