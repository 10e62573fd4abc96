/**
 * A caller on a real SIP leg with a codec of the test's choosing. Loopback legs are L16 at 8 kHz; to reach the
 * daemon with Opus (48 kHz) or L16 at 16 kHz the call must come in over SIP. `addCallerProfile` adds a second
 * sofia profile ("caller", its own port) to the configuration copy (use it as `startPbx`'s `customizeConf`);
 * `placeSipCall` originates from that profile into the internal profile, authenticating as a directory user the
 * way a desk phone does, so the internal leg that runs the dialplan and reaches the daemon carries the codec.
 *
 * The caller leg parks; `say(file)` plays a WAV to the daemon (`uuid_broadcast … aleg`: what A plays is what B
 * hears), so the test decides when the caller speaks (e.g. once the daemon's `record` has started).
 */
import { randomUUID } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { EslClient, ReceivedEvent } from './esl-client.js'

export const CALLER_PROFILE = 'caller'

export interface CallerProfileOptions {
  /** UDP/TCP port of the caller profile (free, see ports.ts). */
  port: number
  /** Codecs the internal profile accepts besides vanilla's (e.g. `L16@16000h`): appended to its prefs. */
  internalExtraCodecs?: readonly string[]
}

/** `customizeConf` step: write the caller profile; optionally widen the internal profile's codec list. */
export async function addCallerProfile(confDir: string, options: CallerProfileOptions): Promise<void> {
  const xml = `<profile name="${CALLER_PROFILE}">
  <settings>
    <param name="sip-ip" value="127.0.0.1"/>
    <param name="rtp-ip" value="127.0.0.1"/>
    <param name="ext-sip-ip" value="127.0.0.1"/>
    <param name="ext-rtp-ip" value="127.0.0.1"/>
    <param name="sip-port" value="${options.port}"/>
    <param name="context" value="public"/>
    <param name="dialplan" value="XML"/>
    <param name="auth-calls" value="false"/>
    <param name="inbound-codec-prefs" value="OPUS,PCMU"/>
    <param name="outbound-codec-prefs" value="OPUS,PCMU"/>
    <param name="dtmf-type" value="rfc2833"/>
  </settings>
</profile>
`
  await writeFile(join(confDir, 'sip_profiles', `${CALLER_PROFILE}.xml`), xml)
  if (options.internalExtraCodecs !== undefined && options.internalExtraCodecs.length > 0) {
    const path = join(confDir, 'vars.xml')
    const vars = await readFile(path, 'utf8')
    const extra = options.internalExtraCodecs.join(',')
    const changed = vars.replace(/data="global_codec_prefs=([^"]*)"/, `data="global_codec_prefs=$1,${extra}"`)
    if (changed === vars) throw new Error('vars.xml: no global_codec_prefs to extend')
    await writeFile(path, changed)
  }
}

export interface SipCallOptions {
  /** Port of the internal profile (`pbx.fs.ports.sip`). */
  internalPort: number
  destination: string
  /** Directory user the call authenticates as, and its password. */
  user: string
  domain: string
  password: string
  /** `absolute_codec_string` of the caller leg, e.g. `OPUS` or `L16@16000h`. */
  codec: string
  callerIdNumber?: string
}

export interface SipCall {
  /** The caller leg (on the caller profile). */
  a: string
  /** The internal profile's leg, which runs the dialplan and reaches the daemon. */
  b: string
  /** Resolves with the first CHANNEL_EXECUTE of `app` on B (matching `data`). */
  waitForApp(app: string, data?: RegExp, timeoutMs?: number): Promise<ReceivedEvent>
  waitForAppDone(app: string, data?: RegExp, timeoutMs?: number): Promise<ReceivedEvent>
  /** The caller plays `file` into the call; resolves once it has been queued. */
  say(file: string): Promise<void>
  hangup(): Promise<void>
  ended(timeoutMs?: number): Promise<ReceivedEvent>
}

const TEST_HEADER = 'X-Vmd-Test-Call'

export async function placeSipCall(esl: EslClient, options: SipCallOptions): Promise<SipCall> {
  const a = randomUUID()
  const vars = [
    `origination_uuid=${a}`,
    `origination_caller_id_number=${options.callerIdNumber ?? '5550199'}`,
    `absolute_codec_string=${options.codec}`,
    `sip_auth_username=${options.user}`,
    `sip_auth_password=${options.password}`,
    `sip_from_user=${options.user}`,
    `sip_from_host=${options.domain}`,
    `sip_h_${TEST_HEADER}=${a}`,
  ].join(',')
  const since = esl.events.length
  const dial = `sofia/${CALLER_PROFILE}/${options.destination}@127.0.0.1:${options.internalPort}`
  void esl.bgapi(`originate {${vars}}${dial} &park()`, 60_000).catch(() => undefined)
  // The internal leg carries our header as `sip_h_X-…` (sofia copies X- headers of the INVITE to variables).
  const bEvent = await esl.waitFor(
    (e) => e.get(`variable_sip_h_${TEST_HEADER}`) === a && e.get('Unique-ID') !== a,
    20_000,
    since,
  )
  const b = bEvent.get('Unique-ID') ?? ''
  const onB = (e: ReceivedEvent): boolean => e.get('Unique-ID') === b
  const app =
    (name: string, event: string, data?: RegExp) =>
    (e: ReceivedEvent): boolean =>
      e.name === event &&
      onB(e) &&
      e.get('Application') === name &&
      (data === undefined || data.test(e.get('Application-Data') ?? ''))
  return {
    a,
    b,
    waitForApp: (name, data, timeoutMs = 20_000) =>
      esl.waitFor(app(name, 'CHANNEL_EXECUTE', data), timeoutMs, since),
    waitForAppDone: (name, data, timeoutMs = 20_000) =>
      esl.waitFor(app(name, 'CHANNEL_EXECUTE_COMPLETE', data), timeoutMs, since),
    async say(file) {
      const reply = await esl.api(`uuid_broadcast ${a} ${file} aleg`)
      if (!reply.startsWith('+OK')) throw new Error(`uuid_broadcast: ${reply}`)
    },
    async hangup() {
      await esl.api(`uuid_kill ${a}`)
    },
    ended: (timeoutMs = 60_000) =>
      esl.waitFor((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && onB(e), timeoutMs, since),
  }
}
