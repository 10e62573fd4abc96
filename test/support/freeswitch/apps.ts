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

/**
 * FS's blank-delimited argument splitter (ut.c:2814–2871 `separate_string_blank_delim`, then ut.c:2705–2748
 * `cleanup_separated_string` on each word): single quotes group words and are removed (`''` is an empty word);
 * a backslash keeps the next character in the word; afterwards `\'`, `\"`, `\\` and `\n` `\r` `\t` `\s` are
 * unescaped and any other backslash is kept (a regex's `\d+` stays `\d+`). Double quotes are ordinary characters.
 */
export function splitArgs(arg: string): string[] {
  const words: string[] = []
  let i = 0
  while (i < arg.length) {
    while (arg[i] === ' ') i++
    if (i >= arg.length) break
    const start = i
    let quoted = false
    for (; i < arg.length; i++) {
      const c = arg[i]
      if (c === '\\') i++
      else if (c === "'") quoted = !quoted
      else if (c === ' ' && !quoted) break
    }
    words.push(cleanupWord(arg.slice(start, i)))
  }
  return words
}

const UNESCAPED: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', s: ' ' }

function cleanupWord(word: string): string {
  let out = ''
  let end = 0
  let quoted = false
  for (let i = 0; i < word.length; i++) {
    const c = word[i] as string
    const next = word[i + 1]
    if (
      c === '\\' &&
      next !== undefined &&
      (next === "'" || next === '"' || next === '\\' || next in UNESCAPED)
    ) {
      out += UNESCAPED[next] ?? next
      end = out.length
      i++
    } else if (c === "'" && (quoted || word.includes("'", i + 1))) {
      quoted = !quoted
      if (quoted) end = out.length
    } else {
      out += c
      if (c !== ' ' || quoted) end = out.length
    }
  }
  return out.slice(0, end)
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
  // The channel's variables at the moment of the transfer: what the next application in the dialplan inherits.
  transfer: (s, arg) => {
    s.transfers.push({ arg, variables: new Map(s.channel.vars) })
    return '_none_'
  },
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
