/**
 * playback / say / phrase / sleep (dpt.c:2351–2409, 2911–3066; ps.c:1294–2040) over the session's media wait.
 */
import type { CallSession, DigitPolicy, MediaResult } from './call-session.js'
import type { Header } from './frames.js'

const ANY = '1234567890*#'

/** The digits that stop media now: `playback_terminators` (default `*`; `any`; `none`) (dpt.c:2351–2387). */
export function terminatorSet(s: CallSession): string {
  const v = s.channel.getVar('playback_terminators') ?? '*'
  if (v === 'none') return ''
  if (v === 'any') return ANY
  return v
}

export interface Source {
  exists: boolean
  /** Simulated length in ms (Infinity = endless). */
  ms: number
}

/** Work out whether a playback source exists and how long it plays. */
export function resolveSource(s: CallSession, file: string): Source {
  let f = file
  let skipMs = 0
  const at = f.lastIndexOf('@@')
  if (at > 0) {
    skipMs = (Number.parseInt(f.slice(at + 2), 10) || 0) / 8
    f = f.slice(0, at)
  }
  let src: Source
  if (f.startsWith('silence_stream://')) {
    const n = Number.parseInt(f.slice('silence_stream://'.length), 10)
    src = Number.isNaN(n) || n === 0 ? { exists: false, ms: 0 } : { exists: true, ms: n < 0 ? Infinity : n }
  } else if (f.startsWith('tone_stream://')) {
    let per = 0
    for (const m of f.matchAll(/%\((\d+),(\d+)/g)) per += Number(m[1]) + Number(m[2])
    const loops = /loops=(-?\d+)/.exec(f)
    const n = loops !== null ? Number(loops[1]) : 1
    src = { exists: true, ms: n < 0 ? Infinity : (per === 0 ? 1000 : per) * Math.max(1, n) }
  } else if (f.startsWith('file_string://')) {
    const parts = f
      .slice('file_string://'.length)
      .split('!')
      .map((p) => resolveSource(s, p))
    const ok = parts.filter((p) => p.exists)
    src = { exists: ok.length > 0, ms: ok.reduce((a, p) => a + p.ms, 0) }
  } else if (f.startsWith('say:') || f.startsWith('phrase:')) {
    src = { exists: true, ms: s.opts.promptMs(f) }
  } else if (f.startsWith('/')) {
    src = s.opts.promptExists(f) ? { exists: true, ms: s.opts.promptMs(f) } : { exists: false, ms: 0 }
  } else {
    // Relative: prefixed with sound_prefix (ps.c:1418–1443); the sound tree is assumed complete.
    src = { exists: true, ms: s.opts.promptMs(f) }
  }
  return { exists: src.exists, ms: Math.max(0, src.ms - skipMs) }
}

/** PLAYBACK_START/STOP name the file; a played tone stream also its type (seen on the real FreeSWITCH). */
function fileHeaders(file: string): Header[] {
  return file.startsWith('tone_stream://')
    ? [
        ['Playback-File-Type', 'tone_stream'],
        ['Playback-File-Path', file],
      ]
    : [['Playback-File-Path', file]]
}

export interface PlayOutcome {
  status: 'notfound' | 'done' | 'break' | 'hangup'
  result?: MediaResult
  ms: number
}

/**
 * Play one source the way switch_ivr_play_file does: PLAYBACK_START, media, playback_* variables, PLAYBACK_STOP.
 * `policy` decides what a digit does.
 */
export async function playFile(
  s: CallSession,
  file: string,
  policy: DigitPolicy,
  startAt = s.now(),
): Promise<PlayOutcome> {
  const src = resolveSource(s, file)
  if (!src.exists) return { status: 'notfound', ms: 0 }
  const index = s.playbackCount++
  const where = fileHeaders(file)
  s.emit('PLAYBACK_START', where, ['switch_ivr_play_say.c', 'switch_ivr_play_file', 1655])
  const t0 = startAt
  s.hooks.onPlaybackStart?.(file, index, t0)
  const result = await s.media(src.ms, policy, t0)
  const ms = Math.min(result.elapsedMs, src.ms)
  const samples = Math.round(ms * 8)
  // FS seeks to `@@N` and then counts every sample read from there, so the position is from the file's start.
  const seek = /@@(\d+)$/.exec(file)
  s.channel.setVar('playback_last_offset_pos', String(samples + (seek === null ? 0 : Number(seek[1]))))
  s.channel.setVar('playback_seconds', String(Math.floor(ms / 1000)))
  s.channel.setVar('playback_ms', String(Math.round(ms)))
  s.channel.setVar('playback_samples', String(samples))
  const status = result.endedBy === 'hangup' ? 'hangup' : result.endedBy === 'time' ? 'done' : 'break'
  s.emit(
    'PLAYBACK_STOP',
    [...where, ['Playback-Status', status === 'break' ? 'break' : 'done']],
    ['switch_ivr_play_say.c', 'switch_ivr_play_file', 2035],
  )
  return { status, result, ms }
}

/** Terminator policy of playback/say/phrase: a terminator stops (and is recorded); other digits are dropped. */
function terminatorPolicy(s: CallSession): DigitPolicy {
  const terms = terminatorSet(s)
  return (d) => (terms.includes(d) ? 'stop' : 'drop')
}

async function playLike(s: CallSession, file: string, played: string): Promise<string> {
  s.channel.setVar('playback_terminator_used', '')
  const out = await playFile(s, file, terminatorPolicy(s))
  if (out.status === 'notfound') return 'FILE NOT FOUND'
  if (out.status === 'hangup') return 'PLAYBACK ERROR'
  if (out.result?.endedBy === 'digit' && out.result.digit !== undefined)
    s.channel.setVar('playback_terminator_used', out.result.digit)
  return played
}

export const playbackApp = (s: CallSession, arg: string): Promise<string> => playLike(s, arg, 'FILE PLAYED')

/** `say <module>[:<lang>] <type> <method> [<gender>] <text>`: plays like a prompt. */
export const sayApp = async (s: CallSession, arg: string): Promise<string> => {
  const r = await playLike(s, `say:${arg}`, '_none_')
  return r === 'FILE NOT FOUND' ? '_none_' : r
}

/** `phrase <macro>,<data>`: response PHRASE PLAYED (dpt.c:2940–2981). */
export const phraseApp = async (s: CallSession, arg: string): Promise<string> => {
  const r = await playLike(s, `phrase:${arg}`, 'PHRASE PLAYED')
  return r === 'FILE NOT FOUND' ? 'PHRASE PLAYED' : r
}

/** `sleep <ms>`: any DTMF ends it early and stays queued unless sleep_eat_digits=true (dpt.c:2390–2409). */
export const sleepApp = async (s: CallSession, arg: string): Promise<string> => {
  const ms = Number.parseInt(arg, 10) || 0
  const eat = s.channel.getVar('sleep_eat_digits') === 'true'
  await s.media(ms, () => (eat ? 'drop' : 'stop-leave'))
  return '_none_'
}
