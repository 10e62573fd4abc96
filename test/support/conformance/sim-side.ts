/**
 * The simulator side of the conformance test, built like the real side: the same daemon entry as a child process
 * with the same config (only the FreeSWITCH differs), a recording proxy on each link, the same stand-in prompts
 * (150 ms), calls in real time (timeScale 1) so the scripted pauses mean the same on both sides.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { openStore } from '../../../lib/store/index.js'
import { hashPin } from '../../../lib/store/pin.js'
import { FreeswitchSimulator } from '../freeswitch/index.js'
import { wavLengthOr } from '../freeswitch/sim-call.js'
import { freePort } from '../ports.js'
import { EslClient } from '../real-freeswitch/esl-client.js'
import { writeStandInCustomPrompts } from '../real-freeswitch/sounds.js'
import { spawnEntry } from '../spawn-daemon.js'
import { BOX, PIN, WATCHED_EVENTS, boxConfig } from './real-side.js'
import { RecordingProxy } from './recording-proxy.js'
import { lampQueriesAnswered, type PlacedCall, type Scenario, type Side } from './scenario.js'

const DOMAIN = 'pbx.test'
const PASSWORD = 'ClueCon'

export interface SimSide extends Side {
  sim: FreeswitchSimulator
  stateDir: string
}

export async function startSimSide(t: Test): Promise<SimSide> {
  const dir = await mkdtemp(join(tmpdir(), 'voicemaild-conformance-'))
  const sim = new FreeswitchSimulator({
    seed: 3,
    timeScale: 1,
    // The real side's stand-in prompts last 150 ms (absolute ones are real WAVs of that length).
    call: { promptExists: () => true, promptMs: wavLengthOr(150) },
  })
  const fs = await sim.listen({ password: PASSWORD, users: [`${BOX}@${DOMAIN}`] })
  const outbound = await RecordingProxy.listen()
  const inbound = await RecordingProxy.listen(fs.port)
  const daemonPort = await freePort()
  outbound.upstreamPort = daemonPort
  const stateDir = join(dir, 'state')
  const customDir = await writeStandInCustomPrompts(join(dir, 'prompts'))
  const configPath = join(dir, 'voicemaild.yaml')
  await writeFile(
    configPath,
    [
      `stateDir: ${stateDir}`,
      `listen: { host: 127.0.0.1, port: ${daemonPort} }`,
      // No voicemail page: the real side's daemon may hold the default port, and nothing here looks at it.
      'http: { enabled: false }',
      `freeswitch: [{ host: 127.0.0.1, port: ${inbound.port}, password: ${PASSWORD} }]`,
      `defaultDomain: ${DOMAIN}`,
      `prompts: { customDir: ${customDir} }`,
      `drainSeconds: 5`,
      boxConfig(DOMAIN),
      '',
    ].join('\n'),
  )
  const daemon = spawnEntry('daemon/main.ts', ['--config', configPath])
  const esl = await EslClient.connect(fs.port, PASSWORD)
  t.teardown(async () => {
    esl.close()
    if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL')
    await daemon.exited
    await Promise.all([outbound.close(), inbound.close()])
    await sim.close()
    await rm(dir, { recursive: true, force: true })
  })
  await esl.subscribe(
    `CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE MESSAGE_WAITING MESSAGE_QUERY ${WATCHED_EVENTS}`,
  )
  // Generous: the daemon compiles its TypeScript at start, and CI machines are busy.
  await daemon.waitFor(/listening for FreeSWITCH/, 120_000)
  await daemon.waitFor(/FreeSWITCH event socket connected/, 30_000)
  const store = await openStore(join(stateDir, 'voicemail.db'), { now: () => Date.now() })
  const box = await store.mailboxes.find(DOMAIN, BOX)
  if (box === undefined) throw new Error(`mailbox ${BOX} not created`)
  await store.mailboxes.setPin(box.rowId, await hashPin(PIN), false)
  await store.close()

  return {
    kind: 'simulator',
    esl,
    outbound,
    inbound,
    sim,
    stateDir,
    place(scenario: Scenario): Promise<PlacedCall> {
      // As on the real side: a loopback call has user_name/domain_name only when exported from a "phone".
      const variables: Record<string, string> = {
        ...(scenario.fromUser !== undefined ? { user_name: scenario.fromUser, domain_name: DOMAIN } : {}),
        ...scenario.variables,
      }
      const call = sim.call(
        { host: '127.0.0.1', port: outbound.port },
        {
          callerIdNumber: '5550100',
          callerIdName: 'Test Caller',
          destinationNumber: scenario.destination,
          channelName: `loopback/${scenario.destination}-b`,
          variables,
          // The real side's caller plays an endless tone: never silence, whatever the recording's length.
          records: [{ speakMs: 3_600_000 }],
        },
        { chunking: 'none' },
      )
      return Promise.resolve({
        uuid: call.uuid,
        async hangup() {
          await esl.api(`uuid_kill ${call.uuid}`)
        },
      })
    },
    async registerPhone() {
      const since = esl.events.length
      // What sipp does in the real side: one dialog (one Call-ID) that REGISTERs, then SUBSCRIBEs.
      const callId = `phone-${BOX}@127.0.0.1`
      sim.registrar.register({ user: BOX, domain: DOMAIN, callId })
      await esl.waitFor((e) => e.name === 'MESSAGE_WAITING' && e.get('Call-ID') !== undefined, 30_000, since)
      sim.registrar.subscribe({ user: BOX, domain: DOMAIN, callId })
      await lampQueriesAnswered(esl, since)
    },
  }
}
