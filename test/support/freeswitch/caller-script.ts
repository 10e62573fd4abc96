/**
 * The scripted caller: a declarative description of who calls and what they do, compiled into the session's
 * CallerHooks. All times are simulated ms (see FsNode: compressed by `timeScale`).
 */
import type { CallSession, CallerHooks } from './call-session.js'

/** When an action happens. Counts (`nth`) are 1-based and count only matching occurrences. */
export type Trigger =
  /** Simulated ms after the call started (TCP connect to the daemon). */
  | { atMs: number }
  /** When the nth execute of an app whose name matches starts, plus `afterMs`. */
  | { onApp: string | RegExp; nth?: number; afterMs?: number }
  /** When the nth playback (PLAYBACK_START; playback, say, phrase, PAGD prompts) whose file matches starts. */
  | { onPlayback: string | RegExp | true; nth?: number; afterMs?: number }
  /** When the nth recording starts (RECORD_START). */
  | { onRecord: true; nth?: number; afterMs?: number }

export interface CallerAction {
  when: Trigger
  /** DTMF digits to press (spaced by `interDigitMs`). */
  press?: string
  /** Hang up with this cause (`true` = NORMAL_CLEARING). */
  hangup?: string | true
  /** Drop the TCP connection abruptly (RST, no notice), as a crashing FS would. */
  reset?: true
}

/** What the caller does in the nth recording. */
export interface RecordBehaviour {
  /** How long they speak (simulated ms). */
  speakMs: number
  /** Then: fall silent (the record's silence detection ends it), press a digit, or hang up. Default silence. */
  then?: 'silence' | 'hangup' | { press: string }
}

export interface CallerScript {
  uuid?: string
  callerIdName?: string
  callerIdNumber?: string
  destinationNumber?: string
  channelName?: string
  context?: string
  /** Channel variables the dialplan set before `socket` (vm_action, vm_mailbox, domain_name, …), in order. */
  variables?: Record<string, string>
  /** The call's codec, e.g. `{ name: 'opus', rate: 48000 }` for a softphone. Default L16 at 8000 (loopback). */
  readCodec?: { name: string; rate: number }
  actions?: CallerAction[]
  /**
   * Entries typed into successive digit collections (each try of play_and_get_digits, each read): the nth entry
   * is pressed `entryDelayMs` into the nth collection's prompt. `''` (or running out of entries) = press nothing (timeout).
   */
  entries?: string[]
  /** Default 300 simulated ms. */
  entryDelayMs?: number
  /** Behaviour per recording, in order; the last one repeats. Default: speak 3 s then silence. */
  records?: RecordBehaviour[]
  /** Gap between digits of one press / entry. Default 150 simulated ms. */
  interDigitMs?: number
  /** Hang up at this simulated ms after the start (shorthand for an `atMs` action). */
  hangupAtMs?: number
}

/** Effects the script can have that go beyond the session (the socket). */
export interface ScriptEffects {
  reset(): void
}

function matches(p: string | RegExp | true, v: string): boolean {
  if (p === true) return true
  return typeof p === 'string' ? v === p || v.includes(p) : p.test(v)
}

/** Wire a script into hooks; returns the hooks and a `start` that arms absolute-time actions. */
export function compileScript(
  script: CallerScript,
  sessionRef: () => CallSession,
  effects: ScriptEffects,
): { hooks: CallerHooks; start(at: number): void } {
  const gap = script.interDigitMs ?? 150
  const actions = [...(script.actions ?? [])]
  if (script.hangupAtMs !== undefined) actions.push({ when: { atMs: script.hangupAtMs }, hangup: true })
  const counts = new Map<CallerAction, number>()
  const entries = [...(script.entries ?? [])]
  const records = script.records ?? []
  let collectIndex = 0

  const perform = (a: CallerAction, at: number): void => {
    const s = sessionRef()
    const node = s.node
    if (a.press !== undefined) pressAt(s, a.press, at, gap)
    const hangup = a.hangup
    if (hangup !== undefined) {
      const when = at + (a.press !== undefined ? a.press.length * gap : 0)
      node.at(when, (t) => s.hangup(hangup === true ? 'NORMAL_CLEARING' : hangup, t))
    }
    if (a.reset === true) node.at(at, () => effects.reset())
  }
  const fire = (kind: 'app' | 'playback' | 'record', value: string, at: number): void => {
    for (const a of actions) {
      const w = a.when
      let hit = false
      if (kind === 'app' && 'onApp' in w) hit = matches(w.onApp, value)
      else if (kind === 'playback' && 'onPlayback' in w) hit = matches(w.onPlayback, value)
      else if (kind === 'record' && 'onRecord' in w) hit = true
      if (!hit) continue
      const n = (counts.get(a) ?? 0) + 1
      counts.set(a, n)
      if (n === ('nth' in w ? (w.nth ?? 1) : 1)) perform(a, at + ('afterMs' in w ? (w.afterMs ?? 0) : 0))
    }
  }
  const recordOf = (i: number): RecordBehaviour =>
    records[Math.min(i, records.length - 1)] ?? { speakMs: 3000 }

  const hooks: CallerHooks = {
    onAppStart(app, _arg, _index, at) {
      fire('app', app, at)
    },
    onCollectStart(at) {
      const entry = entries[collectIndex++]
      if (entry !== undefined && entry !== '')
        pressAt(sessionRef(), entry, at + (script.entryDelayMs ?? 300), gap)
    },
    onPlaybackStart(file, _index, at) {
      fire('playback', file, at)
    },
    onRecordStart(_path, index, at) {
      fire('record', '', at)
      const b = recordOf(index)
      const s = sessionRef()
      if (b.then === 'hangup') s.node.at(at + b.speakMs, (t) => s.hangup('NORMAL_CLEARING', t))
      else if (typeof b.then === 'object') pressAt(s, b.then.press, at + b.speakMs, gap)
    },
    speechMs(_path, index) {
      return recordOf(index).speakMs
    },
  }
  return {
    hooks,
    start(at) {
      for (const a of actions) if ('atMs' in a.when) perform(a, at + a.when.atMs)
    },
  }
}

/** Press digits one by one from simulated time `at`. */
export function pressAt(s: CallSession, digits: string, at: number, gap: number): void {
  Array.from(digits).forEach((d, i) => {
    const t = at + i * gap
    s.node.at(t, (when) => s.queueDtmf(d, when))
  })
}
