/**
 * play_and_get_digits and read (dpt.c:2755–2909; logic ps.c:2505–2725, brief §4). Any digit interrupts the
 * prompt and is collected; the terminator is not part of the input; results come from the last try.
 */
import { splitArgs } from './apps.js'
import type { CallSession } from './call-session.js'
import { playFile } from './media-apps.js'

interface Collect {
  input: string
  terminator?: string
  result: 'success' | 'timeout' | 'failure'
  hungUp: boolean
}

/** One try: prompt (any digit interrupts it and counts), then digits until max, terminator or timeout. */
async function collectOnce(
  s: CallSession,
  prompt: string,
  min: number,
  max: number,
  terminators: string,
  timeoutMs: number,
  digitTimeoutMs: number,
): Promise<Collect> {
  let input = ''
  let terminator: string | undefined
  const t0 = s.now()
  s.hooks.onCollectStart?.(t0)
  const take = (d: string): void => {
    if (terminators.includes(d)) terminator = d
    else input += d
  }
  if (prompt !== '') {
    const out = await playFile(s, prompt, () => 'stop', t0)
    if (out.status === 'hangup') return { input, result: 'failure', hungUp: true }
    if (out.result?.endedBy === 'digit' && out.result.digit !== undefined) take(out.result.digit)
  }
  let timedOut = false
  while (terminator === undefined && input.length < max) {
    const r = await s.media(input === '' ? timeoutMs : digitTimeoutMs, () => 'stop')
    if (r.endedBy === 'hangup') return { input, result: 'failure', hungUp: true }
    if (r.endedBy !== 'digit' || r.digit === undefined) {
      timedOut = true
      break
    }
    take(r.digit)
  }
  // With max=1 a lone terminator is cleared (ps.c:2618–2620); a too-short entry is a failure.
  let result: Collect['result'] = timedOut ? 'timeout' : 'success'
  if (input.length < min) result = timedOut && input === '' ? 'timeout' : 'failure'
  return terminator === undefined
    ? { input, result, hungUp: false }
    : { input, terminator, result, hungUp: false }
}

function publish(s: CallSession, c: Collect, varName: string): void {
  if (c.terminator !== undefined) s.channel.setVar('read_terminator_used', c.terminator) // never cleared: stale
  s.channel.setVar('read_result', c.result)
  // switch_channel_set_variable ignores an empty name: with `''` as var_name FS keeps the entry nowhere.
  if (varName !== '') s.channel.setVar(varName, c.input)
}

function num(v: string | undefined, dflt: number): number {
  const n = Number.parseInt(v ?? '', 10)
  return Number.isNaN(n) ? dflt : n
}

/**
 * `play_and_get_digits <min> <max> <tries> <timeout_ms> <terminators> <file> <invalid_file> <var_name> <regexp>
 * [<digit_timeout_ms>] …`, split as switch_separate_string does (quotes group; `''` is an empty argument).
 */
export async function playAndGetDigitsApp(s: CallSession, arg: string): Promise<string> {
  const a = splitArgs(arg)
  const min = Math.max(0, num(a[0], 0))
  const max = Math.max(1, num(a[1], 128))
  const tries = Math.max(1, num(a[2], 1))
  const timeout = Math.max(1000, num(a[3], 1000))
  const terminators = a[4] === undefined || a[4] === '' ? '#' : a[4]
  const file = a[5] ?? ''
  const invalid = a[6] ?? ''
  const varName = a[7] ?? 'pagd_input'
  const regex = a[8]
  const digitTimeout = a[9] !== undefined ? Math.max(1000, num(a[9], timeout)) : timeout
  for (let t = 0; t < tries; t++) {
    const c = await collectOnce(s, file, min, max, terminators, timeout, digitTimeout)
    publish(s, c, varName)
    if (c.hungUp) return '_none_'
    const ok = c.result === 'success' || (c.result === 'timeout' && c.input.length >= min && c.input !== '')
    if (ok) {
      if (regex === undefined || regex === '' || new RegExp(regex).test(c.input)) return '_none_'
      if (varName !== '') {
        s.channel.setVar(varName, '')
        s.channel.setVar(`${varName}_invalid`, c.input)
      }
    }
    if (invalid !== '' && invalid !== 'silence_stream://0') {
      // Played with no input callback: digits typed now stay queued for the next try's prompt.
      const out = await playFile(s, invalid, () => 'keep')
      if (out.status === 'hangup') return '_none_'
    }
  }
  return '_none_'
}

/** `read <min> <max> <file> <var_name> <timeout_ms> <terminators> [<digit_timeout>]`: one try. */
export async function readApp(s: CallSession, arg: string): Promise<string> {
  const a = splitArgs(arg)
  const min = Math.max(0, num(a[0], 0))
  const max = Math.max(1, num(a[1], 128))
  const timeout = Math.max(1000, num(a[4], 1000))
  const terminators = a[5] === undefined || a[5] === '' ? '#' : a[5]
  const digitTimeout = a[6] !== undefined ? num(a[6], timeout) : timeout
  const c = await collectOnce(s, a[2] ?? '', min, max, terminators, timeout, digitTimeout)
  publish(s, c, a[3] ?? 'read_input')
  return '_none_'
}
