/**
 * Seeded randomness for the fuzz tests: every test prints its seed, and `FUZZ_SEED=<n>` replays a run exactly.
 * Each test runs a fixed number of cases (not a time budget), so a seed always means the same inputs.
 */
import type { Test } from 'tap'
import { createRng, type Rng } from '../support/freeswitch/rng.js'

export interface Fuzz extends Rng {
  seed: number
  pick<T>(items: readonly T[]): T
  bytes(n: number): Buffer
  /** A string of hostile text: CR/LF, quotes, `../`, `%`, `${`, emoji, NUL, control bytes, plain letters. */
  hostile(maxLength: number): string
}

const PIECES = [
  '\r\n',
  '\n',
  '\r',
  '"',
  "'",
  '`',
  '../',
  '..\\',
  '/',
  '%',
  '%FF',
  '%0D%0A',
  '%%',
  '%2',
  '${',
  '}',
  '$',
  ';',
  '\0',
  '\t',
  ' ',
  '😀',
  '👩‍👩‍👧',
  'é',
  '\u202e',
  '\ufeff',
  '<',
  '>',
  '&',
  '=?utf-8?b?',
  '?=',
  'Bcc: x@evil',
  'DROP TABLE messages;--',
  "' OR 1=1 --",
  ':',
  ',',
  '\\',
  'a',
  'Z',
  '0',
  '9',
  '\u0007',
  '\u00ff',
  '\ud83d',
]

export function fuzz(t: Test, name: string): Fuzz {
  const env = Number.parseInt(process.env.FUZZ_SEED ?? '', 10)
  const seed = Number.isFinite(env) ? env : Math.floor(Math.random() * 2 ** 31)
  t.comment(`${name}: seed ${seed} (replay with FUZZ_SEED=${seed})`)
  const rng = createRng(seed)
  const pick = <T>(items: readonly T[]): T => items[rng.int(0, items.length - 1)] as T
  return {
    ...rng,
    seed,
    pick,
    bytes(n) {
      const b = Buffer.alloc(n)
      for (let i = 0; i < n; i++) b[i] = rng.int(0, 255)
      return b
    },
    hostile(maxLength) {
      let s = ''
      const n = rng.int(0, maxLength)
      while (s.length < n) s += pick(PIECES)
      return s
    },
  }
}
