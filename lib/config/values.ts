import { isIP } from 'node:net'
import proxyaddr from '@fastify/proxy-addr'
import { isAbsolute } from 'node:path'
import { validate as validateCron, validateDetailed } from 'node-cron'
import type { Test } from './check.js'

/** Value tests shared by the parser: each returns why a string is wrong, or undefined. */

const label = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
const hostnamePattern = new RegExp(`^${label}(?:\\.${label})*$`)
// Deliberately simple: what a PBX operator types, not all of RFC 5322 (no quoted local parts, no comments).
const addressPattern = new RegExp(`^[A-Za-z0-9!#$%&'*+/=?^_\`{|}~.-]+@${label}(?:\\.${label})*$`)

export const digits =
  (min: number, max: number): Test =>
  (value) =>
    new RegExp(`^[0-9]{${min},${max}}$`).test(value) ? undefined : `must be ${min}-${max} digits`

/** A box id (SPEC §3): 2–10 digits. */
export const boxId = digits(2, 10)

/** A declared PIN: only digits and length here; the weak-PIN policy is enforced when the box is created. */
export const pin = digits(4, 10)

export const hostname: Test = (value) =>
  hostnamePattern.test(value) || isIP(value) !== 0 ? undefined : 'must be a host name or IP address'

/** A SIP domain as FreeSWITCH's `domain_name` holds it: a host name or an IP address. */
export const domainName: Test = (value) =>
  hostnamePattern.test(value) || isIP(value) !== 0 ? undefined : 'must be a domain name'

export const ipAddress: Test = (value) => (isIP(value) !== 0 ? undefined : 'must be an IP address')

/**
 * An address or range as the HTTP listener's proxy and operator lists take them: an IP, a CIDR range
 * (`10.0.0.0/8`, `fd00::/8`) or one of proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`). Checked by the
 * same library that applies the list, so what passes here is exactly what works there.
 */
export const ipOrRange: Test = (value) => {
  try {
    proxyaddr.compile(value)
    return undefined
  } catch {
    return 'must be an IP address, a CIDR range such as 10.0.0.0/8, or loopback'
  }
}

export const emailAddress: Test = (value) =>
  addressPattern.test(value) ? undefined : 'must be an email address like alice@example.com'

/** A From: value: `address` or `Display Name <address>` (the name may be quoted). */
export const mailbox: Test = (value) => {
  if (/[\r\n]/.test(value)) return 'must be one line'
  const angle = /^\s*(?:"[^"]*"|[^"<>]*)\s*<([^<>\s]+)>\s*$/.exec(value)
  const address = angle === null ? value.trim() : (angle[1] ?? '')
  return addressPattern.test(address) ? undefined : 'must be an address or "Name <address>"'
}

/** An extra MWI account (`mwi-account` in the FreeSWITCH directory): `user@domain`. */
export const mwiAccount: Test = (value) => {
  const at = value.indexOf('@')
  const user = value.slice(0, at)
  return at > 0 && /^[A-Za-z0-9._+-]+$/.test(user) && domainName(value.slice(at + 1)) === undefined
    ? undefined
    : 'must be user@domain'
}

/** An IANA zone; Intl throws RangeError for a zone ICU does not know. */
export const timezone: Test = (value) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value })
    return undefined
  } catch {
    return 'must be an IANA time zone like Europe/Berlin or UTC'
  }
}

/** 5 fields, or 6 with seconds first, as node-cron reads them. */
export const cronExpression: Test = (value) => {
  if (validateCron(value)) return undefined
  const reason = validateDetailed(value).errors[0]?.message
  return reason === undefined
    ? 'must be a cron expression (5 fields, or 6 with seconds first)'
    : `must be a cron expression: ${reason}`
}

/** Where FreeSWITCH transfers `0`: an extension in the caller's context. */
export const extension: Test = (value) =>
  /^[A-Za-z0-9*#+_.-]{1,32}$/.test(value) ? undefined : 'must be an extension (digits, letters, * # + _ . -)'

/** A dialplan context or dialplan name. */
export const dialplanName: Test = (value) =>
  /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? undefined : 'must be a name of letters, digits, _ . -'

export const nonEmpty: Test = (value) => (value === '' ? 'must not be empty' : undefined)

/** A display name: one line, printable, short enough for a mail header and a directory listing. */
export const displayName: Test = (value) =>
  /[\x00-\x1f\x7f]/.test(value)
    ? 'must not contain control characters'
    : value.length > 100
      ? 'must be at most 100 characters'
      : undefined

export const absolutePath: Test = (value) => (isAbsolute(value) ? undefined : 'must be an absolute path')

export const language: Test = (value) =>
  /^[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?$/.test(value) ? undefined : 'must be a language like en, de or pt-BR'
