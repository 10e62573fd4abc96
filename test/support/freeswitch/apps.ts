/**
 * The dialplan applications the simulator runs for `sendmsg execute`, and the CHANNEL_EXECUTE →
 * app events → CHANNEL_EXECUTE_COMPLETE envelope of switch_core_session_exec (cs.c:2855–2978).
 */
import type { CallSession, ExecuteMessage } from './call-session.js'
import { playbackApp, sayApp, phraseApp, sleepApp } from './media-apps.js'
import { playAndGetDigitsApp, readApp } from './digit-apps.js'
import { recordApp } from './record-app.js'

/** What apps see of the session (kept as the session itself; named for readability). */
export type AppEnv = CallSession

/** An app returns its Application-Response (`_none_` unless it sets one), or `null` to emit no completion. */
export type AppImpl = (s: CallSession, arg: string) => Promise<string | null> | string | null

/** `${var}` expansion (cs.c:2870–2876); unknown variables expand to "". */
export function expandVars(s: CallSession, arg: string): string {
  if (s.channel.getVar('app_disable_expand_variables') === 'true' || !arg.includes('${')) return arg
  return arg.replace(/\$\{([^}]+)\}/g, (_m, name: string) => s.channel.getVar(name) ?? '')
}

/** FS's blank-delimited arg splitter: quotes and backslash escapes group words (ut.c:2873–2892). */
export function splitArgs(arg: string): string[] {
  const out: string[] = []
  let cur = ''
  let quote: string | undefined
  let has = false
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i] as string
    if (c === '\\' && i + 1 < arg.length) {
      cur += arg[++i]
      has = true
    } else if (quote !== undefined) {
      if (c === quote) quote = undefined
      else cur += c
    } else if (c === '"' || c === "'") {
      quote = c
      has = true
    } else if (c === ' ') {
      if (has) out.push(cur)
      cur = ''
      has = false
    } else {
      cur += c
      has = true
    }
  }
  if (has) out.push(cur)
  return out
}

function setApp(s: CallSession, arg: string): string {
  const eq = arg.indexOf('=')
  if (eq > 0) s.channel.setVar(arg.slice(0, eq), arg.slice(eq + 1))
  return '_none_'
}

const APPS: Record<string, AppImpl> = {
  answer: (s) => {
    if (s.channel.answerState === 'ringing') {
      s.channel.answerState = 'answered'
      s.channel.answeredUs = s.node.epochUs()
      // Both the sofia capture and the real-tier loopback calls show it right after the answer.
      s.channel.setVar('endpoint_disposition', 'ANSWER')
      s.emit('CHANNEL_ANSWER', [], ['switch_channel.c', 'switch_channel_perform_mark_answered', 3848])
      s.channel.callState = 'ACTIVE'
    }
    return '_none_'
  },
  set: setApp,
  export: setApp,
  unset: (s, arg) => {
    s.channel.setVar(arg.trim(), '')
    return '_none_'
  },
  hangup: (s, arg) => {
    s.hangup(arg.trim() === '' ? 'NORMAL_CLEARING' : arg.trim())
    return '_none_'
  },
  transfer: () => '_none_',
  bridge: (s) => {
    const cause = s.opts.bridgeFailCause
    s.channel.setVar('originate_disposition', cause)
    s.channel.setVar('originate_failed_cause', cause)
    s.channel.setVar('DIALSTATUS', cause === 'USER_BUSY' ? 'BUSY' : cause)
    return '_none_'
  },
  flush_dtmf: (s) => {
    s.flushDigits()
    return '_none_'
  },
  playback: playbackApp,
  say: sayApp,
  phrase: phraseApp,
  sleep: sleepApp,
  play_and_get_digits: playAndGetDigitsApp,
  read: readApp,
  record: recordApp,
}

/** Run one execute message through the CHANNEL_EXECUTE / EXECUTE_COMPLETE envelope. */
export async function runApp(s: CallSession, msg: ExecuteMessage, index: number): Promise<void> {
  const impl = APPS[msg.app.toLowerCase()]
  if (impl === undefined) {
    // Invalid application: FS hangs up, no events for it (cs.c:2770–2774).
    s.hangup('DESTINATION_OUT_OF_ORDER')
    return
  }
  const arg = expandVars(s, msg.arg)
  s.channel.setVar('current_loop', '1')
  s.channel.setVar('total_loops', '1')
  s.channel.setVar('current_application_data', arg)
  s.channel.setVar('current_application', msg.app)
  const appHeaders = [
    ['Application', msg.app],
    ...(arg !== '' ? [['Application-Data', arg] as const] : []),
  ] as const
  s.emit(
    'CHANNEL_EXECUTE',
    [...appHeaders, ['Application-UUID', msg.appUuid]],
    ['switch_core_session.c', 'switch_core_session_exec', 2949],
  )
  s.appStarted(msg.app, arg, index)
  const response = await impl(s, arg)
  if (response === null) return
  s.lastResponse = response
  // Apps that report a response also leave it in the channel (the capture's playback: FILE PLAYED).
  if (response !== '_none_') s.channel.setVar('current_application_response', response)
  s.emit(
    'CHANNEL_EXECUTE_COMPLETE',
    [...appHeaders, ['Application-Response', response], ['Application-UUID', msg.appUuid]],
    ['switch_core_session.c', 'switch_core_session_exec', 2972],
  )
}
