/**
 * Checks of the values a mailbox is addressed and reached by, shared by every way in (dialplan variables, the
 * voicemail page, voicemailctl, the mod_voicemail import) and by the layers that build paths and commands from
 * them (audio files, the FreeSWITCH directory, the lamps). Pure functions of a string; nothing here imports.
 */

const DOMAIN =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/
const BOX = /^\d{2,10}$/
const EMAIL = /^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/

/**
 * A domain safe to put in a path or an ESL command: a host name of letters, digits and hyphens (no `..`, `/`,
 * spaces or control characters), at most 253 characters.
 */
export function isSafeDomain(domain: string): boolean {
  return DOMAIN.test(domain)
}

/** A mailbox number (SPEC §3): 2–10 digits. Paths are built from box numbers, so this is also security. */
export function isBoxNumber(id: string): boolean {
  return BOX.test(id)
}

/** Whether `address` is one plain `local@host` email address (what `--email` and the import accept). */
export function isEmailAddress(address: string): boolean {
  return EMAIL.test(address)
}

/** Whether the runtime knows the IANA zone `zone`. */
export function isTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}
