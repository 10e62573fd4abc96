/**
 * A FreeSWITCH whose wall clock starts at a chosen date and time, for the dialplan's time-of-day conditions
 * (office hours, lunch, holidays). FreeSWITCH runs under Debian's libfaketime (`apt-get install faketime`, which
 * `.ci/run` installs): the real clock cannot give a reproducible answer, because no time zone makes the office
 * "open" on a weekend or a holiday, whatever the test sets in the channel variable `timezone`.
 *
 * - `FAKETIME=@<date time>`: the clock starts there and then runs at normal speed (sofia's SIP timers and the
 *   bridge's call_timeout keep working).
 * - `DONT_FAKE_MONOTONIC=1`: FreeSWITCH's own clock is CLOCK_MONOTONIC plus an offset taken from the wall clock at
 *   start (switch_time.c); faking both would cancel out. With only the wall clock faked, the offset carries the
 *   fake date, and `switch_micro_time_now()` (what the time conditions read) is the fake time.
 * - `TZ=UTC`: the fake time is read in UTC, whatever the machine's zone; a channel's `timezone` variable then
 *   shifts it as it would on a production box.
 * - The multi-threaded flavour of the library (FreeSWITCH is heavily threaded).
 */
import { existsSync } from 'node:fs'
import type { Test } from 'tap'

const CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/faketime/libfaketimeMT.so.1',
]

/** The libfaketime to preload, or undefined when it is not installed. */
export function libfaketime(): string | undefined {
  return CANDIDATES.find((path) => existsSync(path))
}

/**
 * The FreeSWITCH environment for a clock that starts at `utc` ("2026-12-07 10:00:00", read as UTC).
 * Throws when libfaketime is missing: check `fakeClockAvailable` first.
 */
export function fakeClockEnv(utc: string): Record<string, string> {
  const lib = libfaketime()
  if (lib === undefined) throw new Error('libfaketime is not installed (apt-get install faketime)')
  return { LD_PRELOAD: lib, FAKETIME: `@${utc}`, DONT_FAKE_MONOTONIC: '1', TZ: 'UTC' }
}

/**
 * Like `realTierAvailable` for the tests that need a fake clock: true when libfaketime is there; otherwise the
 * file is skipped with one line, or fails under VOICEMAILD_REQUIRE_FREESWITCH=1 (CI installs it).
 */
export function fakeClockAvailable(t: Test): boolean {
  if (libfaketime() !== undefined) return true
  const reason = 'libfaketime not installed (apt-get install faketime)'
  if (process.env.VOICEMAILD_REQUIRE_FREESWITCH === '1') t.fail(`fake-clock tests required but ${reason}`)
  else t.plan(0, `fake-clock tests skipped: ${reason}`)
  return false
}
