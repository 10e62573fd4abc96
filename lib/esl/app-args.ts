import { EslCommandError } from './errors.js'

/*
 * Checks on what goes into app arguments. FreeSWITCH splits an argument on spaces and expands `${…}` in it, and a
 * CR/LF would end the `execute-app-arg` header and inject a command (esl-protocol.md §1.3, §4).
 */

/**
 * Re-check the entry against the pattern FreeSWITCH already applied (PCRE). Simple patterns mean the same in
 * JavaScript; one JavaScript cannot compile is left to FreeSWITCH's own check.
 */
export function matchesPattern(pattern: string, digits: string): boolean {
  try {
    return new RegExp(pattern).test(digits)
  } catch {
    return true
  }
}

/** One argument word: no whitespace (FreeSWITCH splits args on it), no `${` expansion, not empty. */
export function word(value: string, app: string): void {
  if (value === '' || /\s/.test(value) || value.includes('${')) {
    throw new EslCommandError(app, `unsafe argument ${JSON.stringify(value)}`)
  }
}

/** Free text: no CR/LF (would end the header) and no `${` (FreeSWITCH would expand it). */
export function noInjection(value: string, app: string): void {
  if (/[\r\n]/.test(value) || value.includes('${')) {
    throw new EslCommandError(app, `unsafe argument ${JSON.stringify(value)}`)
  }
}
