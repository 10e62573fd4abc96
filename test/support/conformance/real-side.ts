/**
 * The real FreeSWITCH side of the conformance test: the real-tier PBX (test/support/real-freeswitch) with a
 * recording proxy on each of the daemon's two links, the daemon as a child process, one mailbox.
 */
import type { Test } from 'tap'
import { hashPin } from '../../../lib/store/pin.js'
import { DOMAIN, startPbx, type Pbx } from '../real-freeswitch/pbx.js'
import { RecordingProxy } from './recording-proxy.js'
import { lampQueriesAnswered, type PlacedCall, type Scenario, type Side } from './scenario.js'

/** The box the scenarios use, its PIN (set as the owner's own, not temporary), and the events the test watches. */
export const BOX = '100'
export const PIN = '4821'
export const WATCHED_EVENTS =
  'CHANNEL_HANGUP CHANNEL_UNPARK CHANNEL_STATE RECORD_START RECORD_STOP PLAYBACK_START PLAYBACK_STOP DTMF'

export function boxConfig(domain: string): string {
  return [
    // No silence detection (threshold 0): on a loaded machine the real loopback leg drops media and a `record`
    // ends on "silence" at a random moment; the scenarios end their recordings by key, hangup or cut instead.
    'recording: { silenceThreshold: 0 }',
    'mailboxes:',
    `  - { id: "${BOX}", domain: ${domain}, kind: personal, name: Alice, pin: "${PIN}", email: [alice@example.com] }`,
  ].join('\n')
}

export interface RealSide extends Side {
  pbx: Pbx
}

export async function startRealSide(t: Test): Promise<RealSide> {
  const outbound = await RecordingProxy.listen()
  const inbound = await RecordingProxy.listen()
  t.teardown(() => Promise.all([outbound.close(), inbound.close()]))
  const pbx = await startPbx(t, {
    daemon: false,
    socketPort: outbound.port,
    daemonEslPort: inbound.port,
    config: boxConfig(DOMAIN),
  })
  outbound.upstreamPort = pbx.daemonPort
  inbound.upstreamPort = pbx.fs.ports.esl
  await pbx.esl.subscribe(WATCHED_EVENTS)
  await pbx.startDaemon()
  await ownersPin(pbx)
  return {
    kind: 'real',
    esl: pbx.esl,
    outbound,
    inbound,
    pbx,
    async place(scenario: Scenario): Promise<PlacedCall> {
      const call = await pbx.call(scenario.destination, {
        callerIdNumber: '5550100',
        callerIdName: 'Test Caller',
        ...(scenario.fromUser !== undefined ? { fromUser: { user: scenario.fromUser, domain: DOMAIN } } : {}),
      })
      return { uuid: call.b, hangup: () => call.hangup() }
    },
    async registerPhone() {
      const since = pbx.esl.events.length
      await pbx.phone(BOX)
      await lampQueriesAnswered(pbx.esl, since)
    },
  }
}

/** The declared PIN is temporary (first login would ask for a new one): make it the owner's own. */
async function ownersPin(pbx: Pbx): Promise<void> {
  const store = await pbx.store()
  const box = await store.mailboxes.find(DOMAIN, BOX)
  if (box === undefined) throw new Error(`mailbox ${BOX} not created`)
  await store.mailboxes.setPin(box.rowId, await hashPin(PIN), false)
}
