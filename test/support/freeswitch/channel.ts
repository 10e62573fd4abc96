/**
 * A simulated channel: caller profile, state, channel variables (insertion-ordered; re-setting moves a variable to
 * the end and "" deletes it, ch.c:1498–1499, as the capture shows for read_codec/read_rate), and the builder of
 * its events with the header layout of the captured ones.
 */
import type { FsEvent, Header } from './frames.js'
import type { FsNode } from './node.js'

export interface ChannelProfile {
  uuid: string
  callerIdName: string
  callerIdNumber: string
  destinationNumber: string
  channelName: string
  context: string
  /** Initial channel variables (vm_action, domain_name, …), in order. */
  variables: ReadonlyArray<readonly [string, string]>
  /** The negotiated read (and write) codec. Default L16 at 8000 Hz, as on a loopback leg. */
  readCodec?: ReadCodec
}

/** A codec as FreeSWITCH reports it: `read_codec` (iananame) and `read_rate` (actual samples per second). */
export interface ReadCodec {
  name: string
  rate: number
}

export const LOOPBACK_CODEC: ReadCodec = { name: 'L16', rate: 8000 }

/** Events that carry the `variable_*` snapshot ("extended data", ch.c:2768–2800). DTMF and CHANNEL_STATE do not. */
const WITH_VARS = new Set([
  'CHANNEL_DATA',
  'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_ANSWER',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'CHANNEL_UNPARK',
  'CHANNEL_PARK',
  'RECORD_START',
  'RECORD_STOP',
  'PLAYBACK_START',
  'PLAYBACK_STOP',
])

export class Channel {
  readonly vars = new Map<string, string>()
  answerState: 'ringing' | 'answered' | 'hangup' = 'ringing'
  callState: 'RINGING' | 'ACTIVE' | 'HANGUP' = 'RINGING'
  state = 'CS_EXECUTE'
  stateNumber = 4
  hangupCause: string | undefined
  private readonly createdUs: number
  answeredUs = 0
  hangupUs = 0

  constructor(
    readonly node: FsNode,
    readonly profile: ChannelProfile,
  ) {
    this.createdUs = node.epochUs()
    const base: Array<[string, string]> = [
      ['direction', 'inbound'],
      ['uuid', profile.uuid],
      ['session_id', '4'],
      ['channel_name', profile.channelName],
      ['read_codec', this.codec.name],
      ['read_rate', String(this.codec.rate)],
      ['write_codec', this.codec.name],
      ['write_rate', String(this.codec.rate)],
      ['call_uuid', profile.uuid],
    ]
    for (const [k, v] of base) this.setVar(k, v)
    for (const [k, v] of profile.variables) this.setVar(k, v)
  }

  get uuid(): string {
    return this.profile.uuid
  }

  get codec(): ReadCodec {
    return this.profile.readCodec ?? LOOPBACK_CODEC
  }

  /** Set a channel variable; "" deletes it; an existing one moves to the end (as FS's del + add does). */
  setVar(name: string, value: string): void {
    this.vars.delete(name)
    if (value !== '') this.vars.set(name, value)
  }

  getVar(name: string): string | undefined {
    return this.vars.get(name)
  }

  /** The caller profile headers with a prefix (`Channel` in CHANNEL_DATA, `Caller` elsewhere). */
  private profileHeaders(prefix: string): Header[] {
    const p = this.profile
    const h: Array<[string, string]> = [
      ['Direction', 'inbound'],
      ['Logical-Direction', 'inbound'],
      ['Dialplan', 'xml'],
      ['Caller-ID-Name', p.callerIdName],
      ['Caller-ID-Number', p.callerIdNumber],
      ['Orig-Caller-ID-Name', p.callerIdName],
      ['Orig-Caller-ID-Number', p.callerIdNumber],
      ['Callee-ID-Name', 'Outbound Call'],
      ['Callee-ID-Number', p.destinationNumber],
      ['ANI', p.callerIdNumber],
      ['Destination-Number', p.destinationNumber],
      ['Unique-ID', p.uuid],
      ['Source', 'mod_sofia'],
      ['Context', p.context],
      ['Channel-Name', p.channelName],
      ['Profile-Index', '1'],
      ['Profile-Created-Time', String(this.createdUs)],
      ['Channel-Created-Time', String(this.createdUs)],
      ['Channel-Answered-Time', String(this.answeredUs)],
      ['Channel-Progress-Time', '0'],
      ['Channel-Progress-Media-Time', '0'],
      ['Channel-Hangup-Time', String(this.hangupUs)],
      ['Channel-Transfer-Time', '0'],
      ['Channel-Resurrect-Time', '0'],
      ['Channel-Bridged-Time', '0'],
      ['Channel-Last-Hold', '0'],
      ['Channel-Hold-Accum', '0'],
      ['Screen-Bit', 'true'],
      ['Privacy-Hide-Name', 'false'],
      ['Privacy-Hide-Number', 'false'],
    ]
    return h.map(([k, v]) => [`${prefix}-${k}`, v] as const)
  }

  /** Channel state headers (ch.c:2700–2760), then codecs. Hangup-Cause follows Answer-State once hung up. */
  private stateHeaders(): Header[] {
    const u = this.profile.uuid
    const h: Header[] = [
      ['Channel-State', this.state],
      ['Channel-Call-State', this.callState],
      ['Channel-State-Number', String(this.stateNumber)],
      ['Channel-Name', this.profile.channelName],
      ['Unique-ID', u],
      ['Call-Direction', 'inbound'],
      ['Presence-Call-Direction', 'inbound'],
      ['Channel-HIT-Dialplan', 'true'],
      ['Channel-Call-UUID', u],
      ['Answer-State', this.answerState],
    ]
    if (this.hangupCause !== undefined) h.push(['Hangup-Cause', this.hangupCause])
    h.push(
      ['Channel-Read-Codec-Name', 'L16'],
      ['Channel-Read-Codec-Rate', '8000'],
      ['Channel-Read-Codec-Bit-Rate', '128000'],
      ['Channel-Write-Codec-Name', 'L16'],
      ['Channel-Write-Codec-Rate', '8000'],
      ['Channel-Write-Codec-Bit-Rate', '128000'],
    )
    return h
  }

  private varHeaders(): Header[] {
    const h: Header[] = []
    for (const [k, v] of this.vars) h.push([`variable_${k}`, v])
    return h
  }

  /** The CHANNEL_DATA headers of the connect reply (caller profile prefixed `Channel` first). */
  channelData(): Header[] {
    return [
      ...this.node.standardHeaders('CHANNEL_DATA', 'mod_event_socket.c', 'parse_command', 2029),
      ...this.profileHeaders('Channel'),
      ...this.stateHeaders(),
      ...this.profileHeaders('Caller'),
      ...this.varHeaders(),
    ]
  }

  /** Build a channel event: standard headers, channel state, caller profile, variables if extended, extras. */
  event(
    name: string,
    extra: readonly Header[] = [],
    where: readonly [file: string, fn: string, line: number] = [
      'switch_channel.c',
      'switch_channel_event',
      1,
    ],
  ): FsEvent {
    const headers: Header[] = [...this.node.standardHeaders(name, where[0], where[1], where[2])]
    if (name === 'CHANNEL_HANGUP_COMPLETE' && this.hangupCause !== undefined)
      headers.push(['Hangup-Cause', this.hangupCause])
    headers.push(...this.stateHeaders(), ...this.profileHeaders('Caller'))
    if (WITH_VARS.has(name)) headers.push(...this.varHeaders())
    headers.push(...extra)
    return { headers }
  }
}
