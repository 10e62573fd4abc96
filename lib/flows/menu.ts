import type { Call } from '../esl/call.js'
import type { FlowDeps } from './deps.js'

/** Every key a phone sends. Menus stop the prompt on any of them and then judge the key themselves. */
export const ANY_KEY = '0123456789*#'

export interface ChooseOptions {
  /** Tries before giving up (default: config.menus.retries). */
  retries?: number
  /** Silence after the prompt before a try counts as "no input" (default: config.menus.digitTimeoutMs). */
  timeoutMs?: number
  /** Skip the DTMF flush (for a menu that directly follows another key press the caller already made). */
  keepTypeAhead?: boolean
}

/**
 * Play a menu prompt and wait for one key out of `valid`. Resolves with the key, or `undefined` after the retries
 * ran out (the caller decides: goodbye, or a default such as "save").
 *
 * Why not `play_and_get_digits` with max 1: FreeSWITCH clears a lone terminator digit when max is 1 and turns an
 * empty terminator set into `#`, so a menu offering `#` (or `*`) cannot use it. Instead the prompt and the wait are
 * one playback (`file_string://prompt!…!silence_stream://N`) that every key interrupts, and
 * `playback_terminator_used` tells which key it was: one round trip per try.
 *
 * Queued DTMF is flushed first: a `#` left over from the PIN entry must not answer this menu (SPEC §4).
 */
export async function chooseKey(
  call: Call,
  deps: Pick<FlowDeps, 'config' | 'prompts'>,
  prompt: readonly string[],
  valid: string,
  options: ChooseOptions = {},
): Promise<string | undefined> {
  const retries = options.retries ?? deps.config.menus.retries
  const timeoutMs = options.timeoutMs ?? deps.config.menus.digitTimeoutMs
  if (options.keepTypeAhead !== true) await call.flushDtmf()
  for (let attempt = 0; attempt < retries; attempt++) {
    const result = await call.play([...prompt, `silence_stream://${timeoutMs}`], { terminators: ANY_KEY })
    let key = result.terminator
    // A missing prompt file can make the whole playback fail at once; still give the caller time to answer.
    if (key === undefined && !result.played) {
      key = (await call.play(`silence_stream://${timeoutMs}`, { terminators: ANY_KEY })).terminator
    }
    if (key !== undefined && valid.includes(key)) return key
    if (key !== undefined) await call.play(deps.prompts.std('invalidEntry'))
  }
  return undefined
}

/**
 * "1 listen, 2 save, 3 re-record" after any recording (a caller's message, a greeting, a name). No answer after
 * the retries counts as save: whoever recorded something and says nothing more wants it kept.
 */
export async function reviewRecording(
  call: Call,
  deps: Pick<FlowDeps, 'config' | 'prompts'>,
  path: string,
): Promise<'save' | 'rerecord'> {
  const options = deps.prompts.menu([
    ['listenToRecording', '1'],
    ['saveRecording', '2'],
    ['rerecord', '3'],
  ])
  for (;;) {
    const key = await chooseKey(call, deps, options, '123')
    if (key !== '1') return key === '3' ? 'rerecord' : 'save'
    await call.play(path, { terminators: '#' })
  }
}
