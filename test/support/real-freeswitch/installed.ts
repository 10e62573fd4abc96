/**
 * Where the real FreeSWITCH of the integration tier lives, and the rule for when it is missing: a laptop clone
 * skips the tier with one clear line; CI (`VOICEMAILD_REQUIRE_FREESWITCH=1`, set by `.ci/run`) fails instead.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'

/** The install of `shared/freeswitch/install.sh` (a source build's layout). */
export const FREESWITCH_HOME = process.env.VOICEMAILD_FREESWITCH_HOME ?? '/usr/local/freeswitch'
export const FREESWITCH_BIN = join(FREESWITCH_HOME, 'bin', 'freeswitch')
/** A source build keeps its configuration here (not in `conf/`). */
export const VANILLA_CONF = join(FREESWITCH_HOME, 'etc', 'freeswitch')
export const MODULE_DIR = join(FREESWITCH_HOME, 'lib', 'freeswitch', 'mod')

function sippInstalled(): boolean {
  return spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error === undefined
}

/** What is missing for the tier, or undefined when it can run. */
export function missingForRealTier(): string | undefined {
  if (!existsSync(FREESWITCH_BIN)) return `no FreeSWITCH at ${FREESWITCH_BIN}`
  if (!existsSync(VANILLA_CONF)) return `no vanilla configuration at ${VANILLA_CONF}`
  if (!sippInstalled()) return 'no sipp on PATH'
  return undefined
}

/**
 * Call first in every real-tier test file. Returns true when the tier can run; otherwise ends the file as a skip
 * with one line (or fails it under VOICEMAILD_REQUIRE_FREESWITCH=1, so CI never passes by skipping).
 */
export function realTierAvailable(t: Test): boolean {
  const missing = missingForRealTier()
  if (missing === undefined) return true
  const hint = 'install it with ../shared/freeswitch/install.sh'
  if (process.env.VOICEMAILD_REQUIRE_FREESWITCH === '1') {
    t.fail(`real-FreeSWITCH tier required but ${missing} (${hint})`)
  } else {
    t.plan(0, `real-FreeSWITCH tier skipped: ${missing} (${hint})`)
  }
  return false
}
