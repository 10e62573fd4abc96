/**
 * A call placed into the real FreeSWITCH's dialplan the way docs/operator-guide.md (a test message without a phone) says: `originate` a loopback channel whose
 * A leg plays a tone (the caller's "voice", loud enough that a recording never ends on silence) while the B leg
 * runs the dialplan and reaches the daemon's `socket`. Keys are typed into B with `uuid_recv_dtmf` (what a phone's
 * RFC 2833 digits become); the caller hangs up with `uuid_kill` on B, the channel that runs the socket, as a
 * phone's BYE hangs up its sofia channel. Not on A: mod_loopback's `channel_on_hangup` unlinks the two legs before it
 * hangs B up, and a `record` on B whose 20 ms read falls in between ends first (RECORD_STOP and the app's
 * completion before B's CHANNEL_HANGUP), a loopback-only race that failed a CI run once.
 */
import { randomUUID } from 'node:crypto'
import type { EslClient, ReceivedEvent } from './esl-client.js'

export interface CallOptions {
  context?: string
  callerIdNumber?: string
  callerIdName?: string
  /**
   * Make B look like a call from this registered phone: `user_name`/`domain_name` exported to B as sofia sets
   * them for an authenticated phone (the dialplan's ${user_name} conditions).
   */
  fromUser?: { user: string; domain: string }
  /** Extra channel variables for the A leg (`{k=v}`), e.g. `timezone`. */
  variables?: Readonly<Record<string, string>>
  /** What the caller leg does once answered; default an endless tone. */
  callerApp?: string
}

export interface TestCall {
  /** The caller's leg (A). */
  a: string
  /** The dialplan leg (B) that reaches the daemon. */
  b: string
  /** Apps B ran so far (CHANNEL_EXECUTE), oldest first. */
  executed(): Array<{ app: string; data: string; at: number }>
  /** Resolves with the first CHANNEL_EXECUTE on B (from `since` on) whose app and data match. */
  waitForApp(app: string, data?: RegExp, timeoutMs?: number): Promise<ReceivedEvent>
  /** Resolves with the CHANNEL_EXECUTE_COMPLETE of such an app. */
  waitForAppDone(app: string, data?: RegExp, timeoutMs?: number): Promise<ReceivedEvent>
  /** Type keys on B, as the caller's phone would send them. */
  dtmf(keys: string): Promise<void>
  /** The caller hangs up (B, see above; B's hangup then hangs A up). */
  hangup(): Promise<void>
  /** Resolves when B is gone (CHANNEL_HANGUP_COMPLETE); with its hangup event. */
  ended(timeoutMs?: number): Promise<ReceivedEvent>
  /** A variable of B (`uuid_getvar`), undefined when unset or the channel is gone. */
  getvar(name: string): Promise<string | undefined>
}

/**
 * originate's `{k=v,...}`. A value with a space or a comma is single-quoted: the API splits its argument on
 * spaces and the block on commas, both honouring quotes (unquoted, FreeSWITCH logs "Parse Error!").
 */
function channelVars(vars: Record<string, string>): string {
  const quote = (v: string): string => (/[ ,]/.test(v) ? `'${v}'` : v)
  return `{${Object.entries(vars)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(',')}}`
}

export async function placeCall(
  esl: EslClient,
  destination: string,
  options: CallOptions = {},
): Promise<TestCall> {
  const a = randomUUID()
  const vars: Record<string, string> = {
    origination_uuid: a,
    origination_caller_id_number: options.callerIdNumber ?? '5550100',
    origination_caller_id_name: options.callerIdName ?? 'Test Caller',
    ...options.variables,
  }
  if (options.fromUser !== undefined) {
    vars.user_name = options.fromUser.user
    vars.domain_name = options.fromUser.domain
    vars.loopback_export = 'user_name,domain_name'
  }
  const since = esl.events.length
  const context = options.context ?? 'default'
  const app = options.callerApp ?? 'endless_playback(tone_stream://%(400,100,440))'
  // bgapi: originate returns only once B answers, and the test wants to act before that.
  void esl
    .bgapi(`originate ${channelVars(vars)}loopback/${destination}/${context} &${app}`, 120_000)
    .catch(() => undefined)
  const bEvent = await esl.waitFor(
    (e) =>
      e.get('Other-Leg-Unique-ID') === a ||
      (e.get('variable_other_loopback_leg_uuid') === a && e.get('Unique-ID') !== a),
    15_000,
    since,
  )
  const b = bEvent.get('Unique-ID') ?? ''
  if (b === '' || b === a) throw new Error(`no B leg for ${destination}`)
  const onB = (e: ReceivedEvent): boolean => e.get('Unique-ID') === b
  const appMatch =
    (name: string, data?: RegExp) =>
    (e: ReceivedEvent): boolean =>
      onB(e) &&
      e.get('Application') === name &&
      (data === undefined || data.test(e.get('Application-Data') ?? ''))
  return {
    a,
    b,
    executed: () =>
      esl.events
        .slice(since)
        .filter((e) => onB(e) && e.name === 'CHANNEL_EXECUTE')
        .map((e) => ({ app: e.get('Application') ?? '', data: e.get('Application-Data') ?? '', at: e.at })),
    waitForApp: (name, data, timeoutMs = 20_000) =>
      esl.waitFor((e) => e.name === 'CHANNEL_EXECUTE' && appMatch(name, data)(e), timeoutMs, since),
    waitForAppDone: (name, data, timeoutMs = 20_000) =>
      esl.waitFor((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && appMatch(name, data)(e), timeoutMs, since),
    async dtmf(keys) {
      const reply = await esl.api(`uuid_recv_dtmf ${b} ${keys}`)
      if (!reply.startsWith('+OK')) throw new Error(`uuid_recv_dtmf: ${reply}`)
    },
    async hangup() {
      await esl.api(`uuid_kill ${b}`)
    },
    ended: (timeoutMs = 60_000) =>
      esl.waitFor((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && onB(e), timeoutMs, since),
    async getvar(name) {
      const value = (await esl.api(`uuid_getvar ${b} ${name}`)).trim()
      return value === '_undef_' || value.startsWith('-ERR') || value === '' ? undefined : value
    },
  }
}
