/**
 * The scripted calls of the conformance test, written once and played against both FreeSWITCHes (the real one and
 * the simulator): each step waits for what the daemon did (an app it ran on the channel, seen on the test's own
 * event socket) or acts as the caller would (keys with `uuid_recv_dtmf`, hangup with `uuid_kill`), or as a dying
 * daemon would (`cut`: its socket goes away). The run keeps what went over the daemon's outbound socket (the
 * recording proxy) and what the test's event socket saw of the channel.
 */
import { open } from 'node:fs/promises'
import type { EslClient, ReceivedEvent } from '../real-freeswitch/esl-client.js'
import type { ProxiedConnection, RecordingProxy } from './recording-proxy.js'

export type Step =
  /** Wait for the next CHANNEL_EXECUTE of `app` (whose Application-Data matches `data`) on the daemon's channel. */
  | { app: string; data?: RegExp }
  | { sleep: number }
  /** The caller types keys. */
  | { press: string }
  /** The caller hangs up. */
  | { hangup: true }
  /** The daemon's socket to FreeSWITCH closes now (its process died): both ends of the proxied connection. */
  | { cut: true }
  /** Note the size of the file being recorded (the daemon's last `record`), into `recordingSizes`. */
  | { recordingSize: true }
  /** Wait until the channel is gone (CHANNEL_HANGUP_COMPLETE). */
  | { end: true }

export interface Scenario {
  name: string
  /** What the dialplan routes (real FreeSWITCH): e.g. `03100`. */
  destination: string
  /** The channel variables the dialplan sets before `socket` (the simulator's call gets them directly). */
  variables: Readonly<Record<string, string>>
  /** Make the call look like it comes from this registered phone (user_name/domain_name). */
  fromUser?: string
  steps: readonly Step[]
}

/** A call placed on one side: the daemon's channel and how the caller hangs up. */
export interface PlacedCall {
  uuid: string
  hangup(): Promise<void>
}

/** One FreeSWITCH (real or simulated) with the daemon behind recording proxies. */
export interface Side {
  readonly kind: 'real' | 'simulator'
  /** The test's own event socket to that FreeSWITCH, subscribed to every channel event the tests read. */
  readonly esl: EslClient
  /** FreeSWITCH's `socket` app → proxy → the daemon. */
  readonly outbound: RecordingProxy
  /** The daemon's inbound link → proxy → FreeSWITCH's event socket. */
  readonly inbound: RecordingProxy
  place(scenario: Scenario): Promise<PlacedCall>
  /** A phone of box 100 registers and subscribes to its lamp: FreeSWITCH asks the daemon (MESSAGE_QUERY) twice. */
  registerPhone(): Promise<void>
}

/** Resolves once the daemon answered both of a phone's queries (their MESSAGE_WAITING echo the Call-IDs). */
export async function lampQueriesAnswered(esl: EslClient, since: number): Promise<void> {
  for (const echoed of ['Call-ID', 'sub-call-id']) {
    await esl.waitFor((e) => e.name === 'MESSAGE_WAITING' && e.get(echoed) !== undefined, 30_000, since)
  }
}

export interface RecordingSize {
  bytes: number
  /** The data size field of the WAV header, when the file has one yet. */
  headerDataBytes?: number
}

/** What one scripted call left behind. */
export interface CallCapture {
  scenario: string
  side: Side['kind']
  uuid: string
  /** The daemon's outbound connection for this call (every byte both ways). */
  connection: ProxiedConnection
  /** The events the test's event socket saw of the daemon's channel, from the start of the call. */
  observed: ReceivedEvent[]
  /** Wall-clock ms of each step's completion (index = step). */
  stepAt: number[]
  /** The file being recorded, at each `recordingSize` step. */
  recordingSizes: RecordingSize[]
}

const EVENT_WAIT_MS = 30_000

export async function runScenario(side: Side, scenario: Scenario): Promise<CallCapture> {
  const since = side.esl.events.length
  const nextConnection = side.outbound.nextConnection()
  const call = await side.place(scenario)
  const connection = await nextConnection
  const onCall = (e: ReceivedEvent): boolean => e.get('Unique-ID') === call.uuid
  let cursor = since
  const stepAt: number[] = []
  const recordingSizes: RecordingSize[] = []
  for (const step of scenario.steps) {
    if ('app' in step) {
      const hit = await side.esl.waitFor(
        (e) =>
          onCall(e) &&
          e.name === 'CHANNEL_EXECUTE' &&
          e.get('Application') === step.app &&
          (step.data === undefined || step.data.test(e.get('Application-Data') ?? '')),
        EVENT_WAIT_MS,
        cursor,
      )
      cursor = side.esl.events.indexOf(hit) + 1
    } else if ('sleep' in step) {
      await new Promise((resolve) => setTimeout(resolve, step.sleep))
    } else if ('press' in step) {
      const reply = await side.esl.api(`uuid_recv_dtmf ${call.uuid} ${step.press}`)
      if (!reply.startsWith('+OK')) throw new Error(`uuid_recv_dtmf: ${reply}`)
    } else if ('hangup' in step) {
      await call.hangup()
    } else if ('cut' in step) {
      connection.cut()
    } else if ('recordingSize' in step) {
      recordingSizes.push(await recordingSize(connection))
    } else {
      await side.esl.waitFor((e) => onCall(e) && e.name === 'CHANNEL_HANGUP_COMPLETE', 60_000, since)
    }
    stepAt.push(Date.now())
  }
  // The daemon ends every call with `exit`; FreeSWITCH then closes the socket (or the test cut it).
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    connection.closed,
    new Promise(
      (_, reject) => (timer = setTimeout(() => reject(new Error('socket not closed')), EVENT_WAIT_MS)),
    ),
  ]).finally(() => clearTimeout(timer))
  return {
    scenario: scenario.name,
    side: side.kind,
    uuid: call.uuid,
    connection,
    observed: side.esl.events.slice(since).filter(onCall),
    stepAt,
    recordingSizes,
  }
}

/**
 * The file the daemon's last `record` writes (its path is in the command the proxy saw), now: its size and the
 * data length its WAV header declares (what a reader of the header would take for the audio so far).
 */
async function recordingSize(connection: ProxiedConnection): Promise<RecordingSize> {
  const sent = connection.bytes('server').toString('utf8')
  const path = [...sent.matchAll(/execute-app-name: record\nexecute-app-arg: (\S+)/g)].at(-1)?.[1]
  if (path === undefined) throw new Error('no record command seen')
  const file = await open(path, 'r')
  try {
    const { size } = await file.stat()
    const header = Buffer.alloc(44)
    const { bytesRead } = await file.read(header, 0, 44, 0)
    return bytesRead === 44 ? { bytes: size, headerDataBytes: header.readUInt32LE(40) } : { bytes: size }
  } finally {
    await file.close()
  }
}
