/**
 * A recording still running when the killed daemon comes back (SPEC §8 "nothing lost", issue 11 item 3), on the
 * real FreeSWITCH: the restarted daemon must not adopt the file while FreeSWITCH is still writing it, and adopts
 * it (with its caller, mail and lamp) once the caller hangs up:
 * - FreeSWITCH reachable: the daemon asks it about the channel and waits while it records;
 * - FreeSWITCH's event socket unreachable from the restarted daemon: it watches the file instead and adopts it
 *   once it has stopped growing (FreeSWITCH writes a 64 KiB block every ~4.1 s while recording). No lamp then:
 *   lamps need that socket (they are announced when it comes back).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import { CallScript, lampIs, recordedFor, recordPath } from '../support/real-freeswitch/lamp-calls.js'
import { DOMAIN, startPbx, type Pbx } from '../support/real-freeswitch/pbx.js'
import { freePort } from '../support/ports.js'
import { spawnEntry, type Spawned } from '../support/spawn-daemon.js'

/** How long the caller goes on speaking after the daemon is back. */
const TALK_AFTER_RESTART_MS = 20_000

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

interface Interrupted {
  call: CallScript
  recording: string
  uuid: string
}

/** A caller starts a message in box 100; the daemon is SIGKILLed 3 s of audio into it. */
async function interruptedDeposit(pbx: Pbx): Promise<Interrupted> {
  const call = new CallScript(pbx.esl, await pbx.call('03100'))
  const recording = recordPath(await call.next('record'))
  await recordedFor(recording, 3)
  await pbx.stopDaemon('SIGKILL')
  const uuid = recording.slice(recording.lastIndexOf('/') + 1, -'.wav'.length)
  return { call, recording, uuid }
}

/**
 * While the caller talks on for TALK_AFTER_RESTART_MS after the restart, the message must not appear; then the
 * caller hangs up and it must, within 60 s, with its mail and lamp. Resolves with the adoption log line.
 */
async function adoptedOnlyAfterHangup(
  t: Test,
  pbx: Pbx,
  daemon: Spawned,
  interrupted: Interrupted,
  lamp: boolean,
): Promise<string> {
  const phone = lamp ? await pbx.phone('100') : undefined
  const mailsBefore = pbx.smtp.messages.length
  const until = Date.now() + TALK_AFTER_RESTART_MS
  let early = false
  while (Date.now() < until) {
    if ((await pbx.messages('100')).some((m) => m.uuid === interrupted.uuid)) early = true
    await sleep(500)
  }
  t.notOk(early, 'not adopted while the caller is still speaking')
  t.ok(await interrupted.call.alive(), 'the caller was still connected all that time')
  t.equal(pbx.smtp.messages.length, mailsBefore, 'no mail yet')

  const hungUpAt = Date.now()
  await interrupted.call.call.hangup()
  await interrupted.call.call.ended()
  const deadline = hungUpAt + 60_000
  const line = await daemon.waitFor(/"msg":"orphan recording adopted"/, deadline - Date.now())
  const storedAt = (JSON.parse(line) as { time: number }).time
  const message = (await pbx.messages('100')).find((m) => m.uuid === interrupted.uuid)
  t.match(
    message,
    { callerIdNumber: '5550100', folder: 'new' },
    'stored once the caller hung up, with its caller',
  )
  t.ok(
    (message?.durationMs ?? 0) >= TALK_AFTER_RESTART_MS,
    'with all of the audio, the part spoken after the restart included',
  )
  const lit = await phone?.waitFor(lampIs(true, '1/0 (0/0)', '100'), Math.max(1, deadline - Date.now()))
  if (phone !== undefined) t.ok(lit, 'phone 100 shows it')
  while (pbx.smtp.messages.length < mailsBefore + 1 && Date.now() < deadline) await sleep(50)
  const mail = pbx.smtp.messages[mailsBefore]
  t.ok(mail, 'alice got its mail')
  const s = (at: number): string => ((at - hungUpAt) / 1000).toFixed(1)
  t.comment(
    `from the caller's hang-up: message stored ${s(storedAt)} s, mail accepted ` +
      `${mail === undefined ? '-' : s(mail.at)} s, lamp NOTIFY ${lit === undefined ? '-' : `${s(lit.at)} s`}`,
  )
  await sleep(2000)
  t.equal(pbx.smtp.messages.length, mailsBefore + 1, 'exactly one mail')
  return line
}

if (realTierAvailable(t)) {
  t.setTimeout(300_000)
  const config = [
    'mailboxes:',
    `  - { id: "100", domain: ${DOMAIN}, kind: personal, name: Alice, email: [alice@example.com] }`,
  ].join('\n')

  void t.test('FreeSWITCH reachable: it says the channel still records, the daemon waits', async (t) => {
    const pbx = await startPbx(t, { config })
    const interrupted = await interruptedDeposit(pbx)
    const daemon = await pbx.startDaemon()
    await daemon.waitFor(/"msg":"interrupted recording still running: adoption waits"/, 30_000)
    const line = await adoptedOnlyAfterHangup(t, pbx, daemon, interrupted, true)
    t.match(line, /"decidedBy":"channel-gone"/, 'decided by FreeSWITCH: the channel is gone')
  })

  void t.test('FreeSWITCH unreachable from the restarted daemon: the file decides', async (t) => {
    const pbx = await startPbx(t, { config })
    const interrupted = await interruptedDeposit(pbx)
    // The same daemon, but its inbound event socket points at a port where nothing listens (FreeSWITCH itself
    // still sends calls to it and still records).
    const deadPort = await freePort()
    const configPath = join(pbx.dir, 'voicemaild-no-esl.yaml')
    const text = await readFile(pbx.configPath, 'utf8')
    await writeFile(
      configPath,
      text.replace(/^freeswitch: .*$/m, `freeswitch: [{ host: 127.0.0.1, port: ${deadPort}, password: x }]`),
    )
    const daemon = spawnEntry('daemon/main.ts', ['--config', configPath])
    t.teardown(async () => {
      if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL')
      await daemon.exited
    })
    await daemon.waitFor(/listening for FreeSWITCH/, 90_000)
    await daemon.waitFor(/"msg":"interrupted recording: no FreeSWITCH node can say/, 30_000)
    const line = await adoptedOnlyAfterHangup(t, pbx, daemon, interrupted, false)
    t.match(line, /"decidedBy":"file-quiet"/, 'decided by the file: it stopped growing')
  })
}
