import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto'

/**
 * PIN hashing and the PIN policy of SPEC §3. A PIN is a short digit string, so the hash must be slow: scrypt with
 * a random salt per PIN, encoded `scrypt$N$r$p$<salt b64>$<hash b64>` so parameters can be raised later without
 * invalidating stored PINs (verify reads them from the hash).
 */

export interface ScryptParams {
  N: number
  r: number
  p: number
}

/**
 * 16 MiB and ~0.1 s of one libuv pool thread per PIN check (measured 160 ms on the dev box under load): cheap for
 * one login, expensive for a guessing run. Runs off the event loop.
 */
export const defaultScryptParams: ScryptParams = { N: 16384, r: 8, p: 1 }

const KEY_LENGTH = 32
const SALT_LENGTH = 16

function derive(pin: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must cover 128 * N * r; leave headroom so a raised N does not fail with "memory limit exceeded".
    const maxmem = 256 * params.N * params.r
    scrypt(pin, salt, KEY_LENGTH, { N: params.N, r: params.r, p: params.p, maxmem }, (err, key) => {
      if (err === null) resolve(key)
      else reject(err)
    })
  })
}

/** Hash a PIN. Resolves to the encoded hash; rejects only if scrypt itself fails (bad parameters). */
export async function hashPin(pin: string, params: ScryptParams = defaultScryptParams): Promise<string> {
  const salt = randomBytes(SALT_LENGTH)
  const key = await derive(pin, salt, params)
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$')
}

/**
 * Check `pin` against an encoded hash in constant time. Resolves false (never rejects) for a wrong PIN or a
 * malformed / unknown hash format.
 */
export async function verifyPin(pin: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return false
  const salt = Buffer.from(parts[4] as string, 'base64')
  const expected = Buffer.from(parts[5] as string, 'base64')
  if (salt.length === 0 || expected.length === 0) return false
  let actual: Buffer
  try {
    actual = await new Promise<Buffer>((resolve, reject) => {
      scrypt(pin, salt, expected.length, { N, r, p, maxmem: 256 * N * r }, (err, key) => {
        if (err === null) resolve(key)
        else reject(err)
      })
    })
  } catch {
    return false
  }
  return timingSafeEqual(actual, expected)
}

/** Why a PIN was refused. */
export type PinProblem =
  'not-digits' | 'too-short' | 'too-long' | 'common' | 'repeated' | 'sequence' | 'mailbox-number'

export const PIN_MIN_LENGTH = 4
export const PIN_MAX_LENGTH = 10

/** One English sentence per refusal, printed by voicemailctl (the phone flow plays a prompt per code instead). */
export const pinProblemText: Readonly<Record<PinProblem, string>> = {
  'not-digits': 'The PIN must contain digits only.',
  'too-short': `The PIN must be at least ${PIN_MIN_LENGTH} digits long.`,
  'too-long': `The PIN must be at most ${PIN_MAX_LENGTH} digits long.`,
  common: 'That PIN is too common; choose another.',
  repeated: 'The PIN must not be the same digit repeated.',
  sequence: 'The PIN must not be a straight run of digits up or down.',
  'mailbox-number': 'The PIN must not be the mailbox number.',
}

/**
 * PINs refused as "common" beyond the rules below: the spec's `1234` and its longer forms (reported as common
 * rather than as a run, since that is what they are), and a few keypad patterns seen at the top of leaked PIN lists.
 */
const COMMON_PINS: ReadonlySet<string> = new Set([
  '1234',
  '12345',
  '123456',
  '1234567',
  '12345678',
  '123456789',
  '1234567890',
  '2580',
  '0852',
  '1212',
  '1122',
  '1010',
  '6969',
  '1004',
  '2000',
])

/** Result of the policy check: ok, or the first problem found. */
export type PinCheck = { ok: true } | { ok: false; problem: PinProblem; message: string }

function refuse(problem: PinProblem): PinCheck {
  return { ok: false, problem, message: pinProblemText[problem] }
}

/**
 * A straight run: every digit one more (or every digit one less) than the one before, without wrapping past 9 or
 * 0. So `2345`, `9876`, `0123` are runs; `8901` and `7890` are not (a decision: the spec is silent on wrapping, and
 * refusing them would also refuse ordinary-looking PINs).
 */
function isStraightRun(pin: string): boolean {
  const digits = [...pin].map(Number)
  const up = digits.every((d, i) => i === 0 || d === (digits[i - 1] as number) + 1)
  const down = digits.every((d, i) => i === 0 || d === (digits[i - 1] as number) - 1)
  return up || down
}

/**
 * The PIN policy of SPEC §3, checked in this order: digits only, 4–10 long, not common, not one digit repeated,
 * not a straight run, not the box's own number. Pure; never throws.
 */
export function checkPin(pin: string, mailboxId?: string): PinCheck {
  if (pin.length > 0 && !/^[0-9]+$/.test(pin)) return refuse('not-digits')
  if (pin.length < PIN_MIN_LENGTH) return refuse('too-short')
  if (pin.length > PIN_MAX_LENGTH) return refuse('too-long')
  if (COMMON_PINS.has(pin)) return refuse('common')
  if (/^(.)\1*$/.test(pin)) return refuse('repeated')
  if (isStraightRun(pin)) return refuse('sequence')
  if (mailboxId !== undefined && pin === mailboxId) return refuse('mailbox-number')
  return { ok: true }
}

/**
 * A random PIN of `length` digits (4–10) that passes `checkPin` (for `mailboxId` too, when given). Uses
 * `crypto.randomInt`. Throws RangeError for a length outside 4–10.
 */
export function generateTemporaryPin(length = 6, mailboxId?: string): string {
  if (!Number.isInteger(length) || length < PIN_MIN_LENGTH || length > PIN_MAX_LENGTH) {
    throw new RangeError(`PIN length must be ${PIN_MIN_LENGTH} to ${PIN_MAX_LENGTH}`)
  }
  for (;;) {
    let pin = ''
    for (let i = 0; i < length; i++) pin += String(randomInt(10))
    if (checkPin(pin, mailboxId).ok) return pin
  }
}
