import { parseAccount } from '../mwi/accounts.js'
import { isBoxNumber, isEmailAddress, isSafeDomain, isTimezone } from '../mailbox-values.js'
import type { Store } from '../store/index.js'
import type { Mailbox } from '../store/types.js'
import type { OptionValues } from './command.js'
import type { CtlContext } from './context.js'
import { NotFoundError, UsageError } from './errors.js'

/** A string option's value, or undefined. */
export function str(values: OptionValues, name: string): string | undefined {
  const v = values[name]
  return typeof v === 'string' ? v : undefined
}

/** `--domain`, else the configured default domain; lower-cased (as FreeSWITCH domains are compared). */
export function domainOf(ctx: CtlContext, values: OptionValues): string {
  const domain = (str(values, 'domain') ?? ctx.config.defaultDomain).toLowerCase()
  if (!isSafeDomain(domain)) throw new UsageError(`invalid domain ${JSON.stringify(domain)}`)
  return domain
}

/** A box number argument, checked (2–10 digits). */
export function boxId(value: string | undefined, what = 'mailbox'): string {
  if (value === undefined) throw new UsageError(`missing ${what} number`)
  if (!isBoxNumber(value))
    throw new UsageError(`${what} number must be 2 to 10 digits, got ${JSON.stringify(value)}`)
  return value
}

/** The box or NotFoundError with the hint to list boxes. */
export async function requireBox(store: Store, domain: string, id: string): Promise<Mailbox> {
  const box = await store.mailboxes.find(domain, id)
  if (box === undefined)
    throw new NotFoundError(`no mailbox ${id}@${domain} (see: voicemailctl mailbox list)`)
  return box
}

/** `yes|no|true|false|on|off|1|0` → boolean; undefined when absent. */
export function yesNo(values: OptionValues, name: string): boolean | undefined {
  const v = str(values, name)
  if (v === undefined) return undefined
  const lower = v.toLowerCase()
  if (['yes', 'true', 'on', '1'].includes(lower)) return true
  if (['no', 'false', 'off', '0'].includes(lower)) return false
  throw new UsageError(`--${name} must be yes or no, got ${JSON.stringify(v)}`)
}

/** A comma-separated list; `''` or `none` = the empty list. */
export function list(values: OptionValues, name: string): string[] | undefined {
  const v = str(values, name)
  if (v === undefined) return undefined
  if (v.trim() === '' || v.trim().toLowerCase() === 'none') return []
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** A comma-separated list of email addresses; UsageError naming the bad ones. */
export function emails(values: OptionValues, name: string): string[] | undefined {
  const addresses = list(values, name)
  const bad = addresses?.filter((a) => !isEmailAddress(a)) ?? []
  if (bad.length > 0) throw new UsageError(`--${name}: not an email address: ${bad.join(', ')}`)
  return addresses
}

/** A comma-separated list of `user@domain` accounts; UsageError naming the bad ones. */
export function mwiAccounts(values: OptionValues, name: string): string[] | undefined {
  const accounts = list(values, name)
  const bad = accounts?.filter((a) => parseAccount(a) === undefined) ?? []
  if (bad.length > 0) throw new UsageError(`--${name}: not a user@domain account: ${bad.join(', ')}`)
  return accounts
}

/** A positive integer option; `default` → null (back to the configured default). */
export function positiveIntOrDefault(values: OptionValues, name: string): number | null | undefined {
  const v = str(values, name)
  if (v === undefined) return undefined
  if (v === 'default') return null
  if (!/^[0-9]+$/.test(v) || Number(v) <= 0 || !Number.isSafeInteger(Number(v))) {
    throw new UsageError(`--${name} must be a positive whole number (or "default"), got ${JSON.stringify(v)}`)
  }
  return Number(v)
}

/** An IANA zone; `default` → null. */
export function timezoneOrDefault(values: OptionValues, name: string): string | null | undefined {
  const v = str(values, name)
  if (v === undefined) return undefined
  if (v === 'default') return null
  if (!isTimezone(v))
    throw new UsageError(`--${name}: unknown time zone ${JSON.stringify(v)} (e.g. Europe/Paris)`)
  return v
}

/** One of `choices`, else a UsageError listing them. */
export function oneOf<T extends string>(value: string | undefined, choices: readonly T[], what: string): T {
  if (value !== undefined && (choices as readonly string[]).includes(value)) return value as T
  throw new UsageError(`${what} must be one of ${choices.join(', ')}, got ${JSON.stringify(value ?? '')}`)
}

/** Throw a UsageError with `message` when `condition` holds. */
export function failUsageIf(condition: boolean, message: string): void {
  if (condition) throw new UsageError(message)
}
