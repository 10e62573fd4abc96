/**
 * What the daemon saw on one Event Socket connection, reduced to what can be compared between a real FreeSWITCH
 * and the simulator: each command with the reply it got, the events it acts on with the headers it reads, how
 * many events of each name arrived, and the disconnect notices. Values that differ per run (uuids, ports, temp
 * paths, Call-IDs) are replaced by placeholders; times and lengths are kept as numbers and compared with a
 * tolerance (compare.ts).
 */
import { CommandParser, type DaemonCommand } from '../freeswitch/command-parser.js'
import { FrameReader, get, parseJsonEvent, parsePlainEvent } from '../freeswitch/frame-reader.js'
import { headerOf, type Header } from '../freeswitch/frames.js'
import { fsUrlDecode } from '../freeswitch/urlencode.js'

/** An event the daemon acts on, with the headers it reads (see `lib/esl`). */
export interface SeenEvent {
  /** `CHANNEL_EXECUTE_COMPLETE record`, `CHANNEL_HANGUP`, `MESSAGE_QUERY`, … */
  label: string
  fields: Record<string, string>
}

export interface Trace {
  /** `command → reply`, in the order the daemon sent them. */
  exchanges: string[]
  events: SeenEvent[]
  /** Every event name received after the call's connect (or on the inbound link), with its count. */
  eventNames: Record<string, number>
  /** `text/disconnect-notice` frames: disposition, headers, and the event that came just before. */
  notices: string[]
  /** Problems no FreeSWITCH should show (another channel's event on a `myevents` socket, …). */
  anomalies: string[]
}

/** Variables of CHANNEL_EXECUTE_COMPLETE / RECORD_STOP the daemon reads (lib/esl/media-results.ts, esl-call.ts). */
const READ_VARIABLES = [
  'record_ms',
  'playback_terminator_used',
  'silence_hits_exhausted',
  'read_result',
  'playback_last_offset_pos',
  'playback_terminators',
]
/** What the daemon reads of the connect reply (event-headers.ts `decodeCallInfo`, router.ts, greeting.ts). */
const CHANNEL_DATA_READ = [
  'Socket-Mode',
  'Control',
  'Unique-ID',
  'Caller-Caller-ID-Name',
  'Caller-Caller-ID-Number',
  'Caller-Destination-Number',
  ...[
    'vm_action',
    'vm_mailbox',
    'vm_domain',
    'vm_greeting',
    'domain_name',
    'user_name',
    'sip_from_user',
    'context',
    'originate_disposition',
    'last_bridge_hangup_cause',
    'originate_failed_cause',
    'DIALSTATUS',
  ].map((v) => `variable_${v}`),
]
/** play_and_get_digits collects into `vmd_digits_<n>` (esl-call.ts `collect`). */
const DIGITS_VARIABLE = /^variable_(vmd_digits_\d+)$/
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

interface Normaliser {
  callUuid: string | undefined
  text(s: string): string
}

function normaliser(): Normaliser {
  const n: Normaliser = {
    callUuid: undefined,
    text(s) {
      let out = s
      if (n.callUuid !== undefined) out = out.split(n.callUuid).join('<call>')
      return out
        .replace(/\/[^\s!]*\/recordings\//g, '<state>/recordings/')
        .replace(/\/[^\s!]*\/prompts\/en\//g, '<prompts>/en/')
        .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
        .replace(UUID, '<uuid>')
    },
  }
  return n
}

function commandLabel(c: DaemonCommand, norm: Normaliser): string {
  const h = (name: string): string | undefined => headerOf(c.headers, name)
  const word = c.line.split(' ')[0] ?? ''
  if (word === 'sendmsg') {
    const cmd = h('call-command') ?? ''
    if (cmd === 'execute') {
      const arg = h('execute-app-arg')
      const lock = h('event-lock') === 'true' ? ' [event-lock]' : ''
      return `sendmsg execute ${h('execute-app-name') ?? ''}${arg !== undefined ? ` ${norm.text(arg)}` : ''}${lock}`
    }
    return `sendmsg ${cmd} ${h('hangup-cause') ?? ''}`.trim()
  }
  if (word === 'sendevent') {
    const headers = c.headers.map(([k, v]) => `${k}: ${callIdFree(k, norm.text(v))}`)
    return [norm.text(c.line), ...headers].join('; ')
  }
  if (word === 'auth') return 'auth <password>'
  return norm.text(c.line)
}

/** Call-IDs are chosen by the phone (sipp, or the simulator's registrar): any value is the same shape. */
function callIdFree(name: string, value: string): string {
  return /call-id$/i.test(name) ? '<call-id>' : value
}

function replyLabel(headers: readonly Header[], body: Buffer, norm: Normaliser): string {
  if (get(headers, 'Event-Name') === 'CHANNEL_DATA') {
    // The connect reply: the channel data as url-encoded headers of a command/reply (esl-protocol.md §1.2).
    const read = CHANNEL_DATA_READ.flatMap((name) => {
      const value = get(headers, name)
      return value === undefined ? [] : [`${name}: ${norm.text(fsUrlDecode(value))}`]
    })
    return ['CHANNEL_DATA', ...read].join('; ')
  }
  if (get(headers, 'Content-Type') === 'api/response')
    return `api/response ${norm.text(body.toString('utf8'))}`
  return norm.text(get(headers, 'Reply-Text') ?? '')
}

function eventOf(contentType: string, body: Buffer): Header[] {
  return contentType === 'text/event-json' ? parseJsonEvent(body).headers : parsePlainEvent(body).headers
}

/**
 * Reduce one connection from the bytes each side wrote. The Event-UUIDs of the daemon's executes (and Job-UUIDs of
 * its bgapi) tell its own completions from others'.
 */
export function traceConnection(fromFs: Buffer, fromDaemon: Buffer): Trace {
  const norm = normaliser()
  const commands = new CommandParser().push(fromDaemon)
  const own = new Set(
    commands
      .flatMap((c) => [headerOf(c.headers, 'Event-UUID'), headerOf(c.headers, 'Job-UUID')])
      .filter((u) => u !== undefined),
  )
  const frames = new FrameReader().push(fromFs)
  const trace: Trace = { exchanges: [], events: [], eventNames: {}, notices: [], anomalies: [] }
  const replies: string[] = []
  let connectSequence: number | undefined
  let lastEvent = '(none)'
  for (const frame of frames) {
    const type = get(frame.headers, 'Content-Type') ?? ''
    if (type === 'auth/request') continue
    if (type === 'command/reply' || type === 'api/response') {
      if (get(frame.headers, 'Event-Name') === 'CHANNEL_DATA') {
        norm.callUuid = fsUrlDecode(get(frame.headers, 'Unique-ID') ?? '')
        connectSequence = Number(get(frame.headers, 'Event-Sequence'))
      }
      replies.push(replyLabel(frame.headers, frame.body, norm))
      continue
    }
    if (type === 'text/disconnect-notice') {
      const shown = frame.headers
        .filter(([k]) => k !== 'Content-Type')
        .map(([k, v]) => `${k}: ${norm.text(v)}`)
        .join('; ')
      trace.notices.push(`${shown}; body ${frame.body.length} bytes; after ${lastEvent}`)
      continue
    }
    if (!type.startsWith('text/event-')) {
      trace.anomalies.push(`unexpected frame ${type}`)
      continue
    }
    const event = eventOf(type, frame.body)
    const name = get(event, 'Event-Name') ?? '?'
    // Events fired before the call reached the socket (channel creation, the dialplan's own apps) only arrive when
    // FreeSWITCH's event dispatch lags behind `myevents`: not part of what a call shows the daemon.
    const sequence = Number(get(event, 'Event-Sequence'))
    if (connectSequence !== undefined && sequence < connectSequence) continue
    lastEvent = name
    trace.eventNames[name] = (trace.eventNames[name] ?? 0) + 1
    const seen = daemonRead(name, event, own, norm)
    if (seen !== undefined) trace.events.push(seen)
    const owner = get(event, 'Unique-ID')
    if (norm.callUuid !== undefined && owner !== undefined && owner !== norm.callUuid)
      trace.anomalies.push(`${name} of another channel`)
  }
  commands.forEach((c, i) => {
    // The first command on an inbound link answers auth/request; every command gets exactly one reply, in order.
    trace.exchanges.push(`${commandLabel(c, norm)} → ${replies[i] ?? '(no reply)'}`)
  })
  for (const extra of replies.slice(commands.length))
    trace.anomalies.push(`reply without a command: ${extra}`)
  return trace
}

function daemonRead(
  name: string,
  event: readonly Header[],
  own: ReadonlySet<string>,
  norm: Normaliser,
): SeenEvent | undefined {
  const fields: Record<string, string> = {}
  const pick = (header: string, as = header): void => {
    const value = get(event, header)
    if (value !== undefined) fields[as] = norm.text(value)
  }
  const variables = (): void => {
    for (const v of READ_VARIABLES) pick(`variable_${v}`, v)
    for (const [k, v] of event) {
      const m = DIGITS_VARIABLE.exec(k)
      if (m?.[1] !== undefined) fields[m[1]] = v
    }
  }
  switch (name) {
    case 'CHANNEL_EXECUTE_COMPLETE': {
      const app = get(event, 'Application') ?? ''
      const mine = own.has(get(event, 'Application-UUID') ?? '')
      pick('Application-Response', 'response')
      if (mine) variables()
      return { label: `${name} ${app}${mine ? '' : ' (not the daemon’s)'}`, fields }
    }
    case 'RECORD_STOP':
      variables()
      return { label: name, fields }
    case 'CHANNEL_HANGUP':
    case 'CHANNEL_HANGUP_COMPLETE':
      pick('Hangup-Cause', 'cause')
      return { label: name, fields }
    case 'MESSAGE_QUERY':
      pick('Message-Account', 'account')
      for (const [k, v] of event) if (/^vm-/i.test(k)) fields[k] = callIdFree(k, norm.text(v))
      return { label: name, fields }
    case 'BACKGROUND_JOB':
      // Every client subscribed to BACKGROUND_JOB gets every job's result; the daemon reads only its own.
      return own.has(get(event, 'Job-UUID') ?? '') ? { label: name, fields: {} } : undefined
    default:
      return undefined
  }
}

/**
 * The test's own view of the channel (its event socket) from some instant to CHANNEL_HANGUP_COMPLETE: names and
 * what FreeSWITCH did. What follows (CHANNEL_STATE CS_DESTROY) depends on when the session is freed, which the
 * daemon never sees: its socket holds the session until `exit`.
 */
export function observedAfter(
  events: ReadonlyArray<{ at: number; name: string; get(name: string): string | undefined }>,
  since: number,
): string[] {
  const after = events.filter((e) => e.at >= since)
  const end = after.findIndex((e) => e.name === 'CHANNEL_HANGUP_COMPLETE')
  return after.slice(0, end < 0 ? after.length : end + 1).map((e) => {
    const app = e.get('Application')
    const response = e.name === 'CHANNEL_EXECUTE_COMPLETE' ? e.get('Application-Response') : undefined
    const cause = e.name === 'CHANNEL_HANGUP' ? e.get('Hangup-Cause') : undefined
    return [e.name, app, response, cause].filter((p) => p !== undefined).join(' ')
  })
}
