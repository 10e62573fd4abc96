/**
 * SPEC §8, "silence detection ends a recording after silenceSeconds whatever the call's codec" (issue 11, item 5),
 * on the real FreeSWITCH. FreeSWITCH counts `record`'s silence hits in packets of the call's codec against the
 * file's rate: with `record_sample_rate=8000` 3 s of silence lasted 0.5 s on a 48 kHz Opus call and 1.5 s on a
 * 16 kHz one, so a caller who paused for 2 s was cut off. Here a SIP caller (a real sofia leg with the codec; a
 * loopback leg is always L16 at 8 kHz) speaks 2 s, pauses 2 s and speaks 2 s more: one message with both parts.
 */
import t from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { freeUdpTcpPort } from '../support/ports.js'
import { buildWav, WAV_HEADER_BYTES, wavHeader } from '../support/freeswitch/wav.js'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import { DOMAIN, SIP_PASSWORD, startPbx } from '../support/real-freeswitch/pbx.js'
import { addCallerProfile, placeSipCall } from '../support/real-freeswitch/sip-caller.js'

/** 2 s of "voice" (a tone), 2 s of silence, 2 s of voice: 8 kHz mono 16-bit. */
function speechWithPause(): Buffer {
  const part = (speechMs: number, silenceMs: number): Buffer =>
    buildWav(speechMs, silenceMs).subarray(WAV_HEADER_BYTES)
  const samples = Buffer.concat([part(2000, 2000), part(2000, 0)])
  return Buffer.concat([wavHeader(samples.length / 2), samples])
}

/** Mean absolute sample value of the 200 ms of an 8 kHz 16-bit WAV around `atMs`. */
function levelAt(wav: Buffer, atMs: number): number {
  const first = WAV_HEADER_BYTES + Math.round(((atMs - 100) * 8000) / 1000) * 2
  let sum = 0
  let n = 0
  for (let i = Math.max(WAV_HEADER_BYTES, first); i < Math.min(wav.length - 1, first + 1600 * 2); i += 2) {
    sum += Math.abs(wav.readInt16LE(i))
    n++
  }
  return n === 0 ? 0 : sum / n
}

const CASES = [
  { codec: 'OPUS', box: '100', rate: '48000' },
  { codec: 'L16@16000h', box: '101', rate: '16000' },
] as const

if (realTierAvailable(t)) {
  t.setTimeout(240_000)
  void t.test('a 2 s pause does not end the recording on Opus or 16 kHz calls', async (t) => {
    const callerPort = await freeUdpTcpPort()
    const pbx = await startPbx(t, {
      config: [
        'mailboxes:',
        ...CASES.map(
          (c) => `  - { id: "${c.box}", domain: ${DOMAIN}, kind: personal, email: [u${c.box}@example.com] }`,
        ),
      ].join('\n'),
      // The internal profile also accepts L16 at 16 kHz (vanilla offers OPUS, G722, PCMU, PCMA; G722 is not built).
      customizeConf: (dir) =>
        addCallerProfile(dir, { port: callerPort, internalExtraCodecs: ['L16@16000h'] }),
    })
    const speech = join(pbx.dir, 'speech-pause-speech.wav')
    await writeFile(speech, speechWithPause())

    for (const c of CASES) {
      const call = await placeSipCall(pbx.esl, {
        internalPort: pbx.fs.ports.sip,
        destination: `03${c.box}`,
        user: '1001',
        domain: DOMAIN,
        password: SIP_PASSWORD,
        codec: c.codec,
      })
      const record = await call.waitForApp('record', undefined, 30_000)
      t.equal(record.get('variable_read_rate'), c.rate, `${c.codec}: the daemon's leg reads at ${c.rate} Hz`)
      await call.say(speech)
      // Silence ends the take 3 s after the second part (never during the pause).
      const done = await call.waitForAppDone('record', undefined, 30_000)
      const recordMs = Number(done.get('variable_record_ms'))
      t.equal(done.get('variable_silence_hits_exhausted'), 'true', `${c.codec}: ended by silence`)
      await call.hangup()
      await call.ended()

      const messages = await (async () => {
        for (let i = 0; i < 100; i++) {
          const found = await pbx.messages(c.box)
          if (found.length > 0) return found
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        return []
      })()
      t.equal(messages.length, 1, `${c.codec}: one message`)
      const message = messages[0]
      // 6 s less the moment the caller needed to start; the 3 s of silence after it are not in the file: once
      // the caller's leg has played its file it sends no RTP, and FreeSWITCH does not write the comfort-noise
      // frames it reads meanwhile (switch_ivr_record_file_event skips SFF_CNG frames) while it counts them as
      // silence.
      t.ok(
        message !== undefined && message.durationMs >= 5500 && recordMs >= 5500,
        `${c.codec}: ${message?.durationMs ?? 0} ms recorded: both parts and the pause`,
      )
      if (message !== undefined) {
        const wav = await readFile(join(pbx.stateDir, message.file))
        // The caller starts speaking a little after the record starts (uuid_broadcast after its CHANNEL_EXECUTE).
        t.ok(levelAt(wav, 1200) > 1000, `${c.codec}: the first part is in the file`)
        t.ok(levelAt(wav, 3200) < 200, `${c.codec}: then the pause`)
        t.ok(levelAt(wav, 5200) > 1000, `${c.codec}: and the part after the pause`)
      }
      const tooShort = pbx
        .logs()
        .filter((l) => l.uuid === call.b && l.msg === 'recording too short, discarded')
      t.same(tooShort, [], `${c.codec}: no take was thrown away as too short`)
    }
  })
}
