import type { Call } from '../esl/call.js'
import type { Mailbox } from '../store/types.js'
import type { FlowDeps } from './deps.js'

export type GreetingWanted = 'unavailable' | 'busy'

/**
 * Which greeting the caller should hear: the dialplan's `vm_greeting`, else `busy` when the failed bridge said
 * USER_BUSY (FreeSWITCH leaves that in `originate_disposition` / `last_bridge_hangup_cause` /
 * `originate_failed_cause`), else `unavailable`.
 */
export function wantedGreeting(variables: ReadonlyMap<string, string>): GreetingWanted {
  const asked = variables.get('vm_greeting')
  if (asked === 'busy' || asked === 'unavailable') return asked
  for (const name of [
    'originate_disposition',
    'last_bridge_hangup_cause',
    'originate_failed_cause',
    'DIALSTATUS',
  ]) {
    const value = variables.get(name)?.toUpperCase()
    if (value === 'USER_BUSY' || value === 'BUSY') return 'busy'
  }
  return 'unavailable'
}

/**
 * The files of the greeting chain (SPEC §4 deposit 2): temporary greeting if set, else the busy/unavailable
 * greeting (the box's active choice decides for "unavailable" calls), else the recorded name + "is not available",
 * else "the person at extension 1 0 0 is not available" (the number spoken digit by digit with `digits/N.wav`).
 * Files that reconcile marked unreadable are not offered; a file that turns out missing on disk plays as silence
 * in FreeSWITCH (FILE NOT FOUND), and the chain still ends in the beep.
 */
export async function greetingFiles(
  box: Mailbox,
  wanted: GreetingWanted,
  deps: Pick<FlowDeps, 'store' | 'files' | 'prompts'>,
): Promise<string[]> {
  const greetings = new Map((await deps.store.greetings.list(box.rowId)).map((g) => [g.kind, g] as const))
  const pick = (kind: 'temporary' | 'busy' | 'unavailable' | 'name'): string | undefined => {
    const greeting = greetings.get(kind)
    return greeting === undefined ? undefined : deps.files.fromStored(greeting.file)
  }
  const temporary = pick('temporary')
  if (temporary !== undefined) return [temporary]
  const choice = wanted === 'busy' ? 'busy' : box.activeGreeting
  const recorded =
    choice === 'busy'
      ? (pick('busy') ?? pick('unavailable'))
      : choice === 'unavailable'
        ? pick('unavailable')
        : undefined
  if (recorded !== undefined) return [recorded]
  const name = pick('name')
  if (name !== undefined) return [name, deps.prompts.std('notAvailable')]
  return [
    deps.prompts.std('person'),
    ...[...box.id].map((digit) => deps.prompts.digit(digit)),
    deps.prompts.std('notAvailable'),
  ]
}

/** What the caller did during the greeting. */
export type GreetingOutcome = 'finished' | 'skip' | 'login' | 'operator'

/**
 * Play the greeting and the "record your message" instruction. `#` skips to the beep, `*` asks to log in to this
 * box, `0` asks for the operator (only when the domain has one). Any other key is ignored (FreeSWITCH drops it).
 */
export async function playGreeting(
  call: Call,
  files: readonly string[],
  deps: Pick<FlowDeps, 'prompts'>,
  operatorAvailable: boolean,
): Promise<GreetingOutcome> {
  const terminators = operatorAvailable ? '#*0' : '#*'
  const result = await call.play([...files, deps.prompts.std('recordMessage')], { terminators })
  switch (result.terminator) {
    case '#':
      return 'skip'
    case '*':
      return 'login'
    case '0':
      return operatorAvailable ? 'operator' : 'finished'
    case undefined:
    default:
      return 'finished'
  }
}
