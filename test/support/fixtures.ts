/**
 * Loader for the real FreeSWITCH captures kept in `test/fixtures/freeswitch-esl/` (copied from the workplace's
 * `shared/fixtures`, recorded from a running FreeSWITCH; the repository needs nothing beside it): splits a capture into its
 * frames, byte-exact. Each frame is preceded by `<<< FS +Nms` or `>>> DAEMON|CLIENT +Nms` and frames are separated
 * by `\n========\n` (see the fixtures' README).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where the captures are: `$VOICEMAILD_FIXTURES` when set (to try new captures), else the repository's copy. */
export const FIXTURE_DIR =
  process.env.VOICEMAILD_FIXTURES ?? fileURLToPath(new URL('../fixtures/freeswitch-esl', import.meta.url))
/** The WAV FreeSWITCH recorded for a 3-second `record` (3,500 ms, 56,044 bytes). */
export const FIXTURE_WAV = join(FIXTURE_DIR, 'record-time-limit.wav')

export interface FixtureFrame {
  /** `fs`: written by FreeSWITCH; `daemon`: written to it (DAEMON or CLIENT in the capture). */
  direction: 'fs' | 'daemon'
  /** Milliseconds since the capture started. */
  ms: number
  /** The frame's exact bytes. */
  raw: Buffer
}

const SEP = Buffer.from('\n========\n')

export interface LoadOptions {
  /**
   * Recompute the outer `Content-Length` of FS frames. The captures' addresses (and recording paths) were rewritten
   * after capture without fixing the lengths, so most event frames declare 2–30 bytes less than their body holds.
   * With this on, each frame's declared length matches its bytes again. Default false (bytes as stored).
   */
  repairLengths?: boolean
}

/** Re-declare the outer Content-Length of one FS frame to its real body size. */
export function repairContentLength(raw: Buffer): Buffer {
  const end = raw.indexOf('\n\n')
  if (end < 0) return raw
  const head = raw.toString('utf8', 0, end)
  const m = /(^|\n)Content-Length: (\d+)/.exec(head)
  if (m === null) return raw
  const actual = raw.length - (end + 2)
  if (Number(m[2]) === actual) return raw
  const fixed = head.replace(/(^|\n)Content-Length: \d+/, `$1Content-Length: ${actual}`)
  return Buffer.concat([Buffer.from(fixed), raw.subarray(end)])
}

/** Split a capture file (`outbound-session.txt`, …) into frames. Throws on a malformed direction line. */
export function loadFixture(name: string, opts: LoadOptions = {}): FixtureFrame[] {
  const buf = readFileSync(join(FIXTURE_DIR, name))
  const out: FixtureFrame[] = []
  let pos = 0
  while (pos < buf.length) {
    let end = buf.indexOf(SEP, pos)
    if (end < 0) end = buf.length
    const nl = buf.indexOf(0x0a, pos)
    const head = buf.toString('utf8', pos, nl)
    const m = /^(<<< FS|>>> DAEMON|>>> CLIENT) \+(\d+)ms$/.exec(head)
    if (m === null) throw new Error(`bad direction line in ${name}: ${head}`)
    const direction = m[1] === '<<< FS' ? 'fs' : 'daemon'
    let raw: Buffer = buf.subarray(nl + 1, end)
    if (opts.repairLengths === true && direction === 'fs') raw = repairContentLength(raw)
    out.push({ direction, ms: Number(m[2]), raw })
    pos = end + SEP.length
  }
  return out
}

/** The raw bytes of a fixture file (the WAV). */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(join(FIXTURE_DIR, name))
}
