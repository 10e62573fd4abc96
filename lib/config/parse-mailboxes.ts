import { isMapping, type Checker, type Section } from './check.js'
import { defaultDomainSettings } from './defaults.js'
import type { DomainConfig, MailboxDeclaration } from './types.js'
import * as is from './values.js'
import { BYTES_PER_SECOND } from '../quota/audio-format.js'

const domainKeys = ['mode', 'unifiedMailbox', 'operator', 'autoProvision', 'timezone'] as const
const mailboxKeys = [
  'id',
  'domain',
  'kind',
  'name',
  'pin',
  'email',
  'attachAudio',
  'keepAfterEmail',
  'notifyFull',
  'mwiAccounts',
  'quotaBytes',
  'timezone',
  'enabled',
] as const

/** Largest quota we accept: 1 TiB is already ~19,000 hours of 8 kHz audio. */
export const maxQuotaBytes = 2 ** 40
/** One second of audio (SPEC: 16,000 bytes/s); a smaller quota could never hold a message. */
export const minQuotaBytes = BYTES_PER_SECOND

/**
 * `domains:` and `mailboxes:` (SPEC §7). Declared domains get every key defaulted from `defaultDomainSettings`;
 * `defaultDomain` is always present in the result (with those defaults when not declared). Declared boxes keep
 * only the keys the file sets, because on start/reload only declared settings are applied over the store.
 */
export function parseDomainsAndMailboxes(
  root: Section,
  defaultDomain: string,
): { domains: Record<string, DomainConfig>; mailboxes: MailboxDeclaration[] } {
  const checker = root.checker
  const domains: Record<string, DomainConfig> = {}
  const section = root.child('domains')
  for (const name of Object.keys(section.data)) {
    const path = section.at(name)
    const why = is.domainName(name)
    if (why !== undefined) checker.problem(path, `${why} (got ${JSON.stringify(name)})`)
    domains[name] = parseDomain(checker.section(section.data[name], path, domainKeys))
  }
  domains[defaultDomain] ??= { ...defaultDomainSettings }

  const mailboxes: MailboxDeclaration[] = []
  const fileIndex: number[] = []
  const firstIndex = new Map<string, number>()
  root.list('mailboxes').forEach((item, index) => {
    const section = checker.section(item, ['mailboxes', index], mailboxKeys)
    // A non-mapping item was reported as such; its missing id would only be noise.
    const box = isMapping(item) ? parseMailbox(section, defaultDomain, domains) : undefined
    if (box === undefined) return
    const key = `${box.id}@${box.domain}`
    const first = firstIndex.get(key)
    if (first === undefined) firstIndex.set(key, index)
    else
      checker.problem(
        ['mailboxes', index, 'id'],
        `duplicate of mailboxes[${first}] (box ${box.id} in ${box.domain})`,
      )
    mailboxes.push(box)
    fileIndex.push(index)
  })

  checkUnifiedBoxes(checker, domains, mailboxes, fileIndex)
  return { domains, mailboxes }
}

function parseDomain(s: Section): DomainConfig {
  const domain: DomainConfig = {
    mode: s.oneOf('mode', ['dual', 'unified'], defaultDomainSettings.mode),
    autoProvision: s.bool('autoProvision', defaultDomainSettings.autoProvision),
    timezone: s.str('timezone', defaultDomainSettings.timezone, is.timezone),
  }
  const unifiedMailbox = s.optStr('unifiedMailbox', is.boxId)
  if (unifiedMailbox !== undefined) domain.unifiedMailbox = unifiedMailbox
  else if (domain.mode === 'unified' && !s.has('unifiedMailbox')) {
    s.checker.problem(s.at('unifiedMailbox'), 'required when mode is unified (the general box 5001 opens)')
  }
  const operator = s.optStr('operator', is.extension)
  if (operator !== undefined) domain.operator = operator
  return domain
}

function parseMailbox(
  s: Section,
  defaultDomain: string,
  domains: Readonly<Record<string, DomainConfig>>,
): MailboxDeclaration | undefined {
  const id = s.optStr('id', is.boxId)
  if (!s.has('id')) s.checker.problem(s.at('id'), 'required (the box number, 2-10 digits)')
  const domain = s.str('domain', defaultDomain, is.domainName)
  if (domains[domain] === undefined) {
    s.checker.problem(
      s.at('domain'),
      `${JSON.stringify(domain)} is not declared under domains and is not defaultDomain`,
    )
  }
  const box: MailboxDeclaration = {
    id: id ?? '',
    domain,
    kind: s.oneOf('kind', ['personal', 'general'], 'personal'),
  }
  const name = s.optStr('name', is.displayName)
  const pin = s.optStr('pin', is.pin, true)
  const email = s.optStrings('email', is.emailAddress)
  const mwiAccounts = s.optStrings('mwiAccounts', is.mwiAccount)
  const timezone = s.optStr('timezone', is.timezone)
  const attachAudio = s.optBool('attachAudio')
  const keepAfterEmail = s.optBool('keepAfterEmail')
  const notifyFull = s.optBool('notifyFull')
  const enabled = s.optBool('enabled')
  if (name !== undefined) box.name = name
  if (pin !== undefined) box.pin = pin
  if (email !== undefined) box.email = email
  if (attachAudio !== undefined) box.attachAudio = attachAudio
  if (keepAfterEmail !== undefined) box.keepAfterEmail = keepAfterEmail
  if (notifyFull !== undefined) box.notifyFull = notifyFull
  if (mwiAccounts !== undefined) box.mwiAccounts = mwiAccounts
  if (s.has('quotaBytes')) box.quotaBytes = s.int('quotaBytes', minQuotaBytes, maxQuotaBytes, minQuotaBytes)
  if (timezone !== undefined) box.timezone = timezone
  if (enabled !== undefined) box.enabled = enabled
  return id === undefined ? undefined : box
}

/**
 * A unified domain's box must be a general box. When it is declared in the file we check its kind; when it is
 * not, it may have been created with `voicemailctl`, which the parser cannot see (`voicemailctl doctor` can).
 */
function checkUnifiedBoxes(
  checker: Checker,
  domains: Readonly<Record<string, DomainConfig>>,
  mailboxes: readonly MailboxDeclaration[],
  fileIndex: readonly number[],
): void {
  for (const [name, domain] of Object.entries(domains)) {
    if (domain.mode !== 'unified' || domain.unifiedMailbox === undefined) continue
    const index = mailboxes.findIndex((b) => b.domain === name && b.id === domain.unifiedMailbox)
    const box = mailboxes[index]
    if (box !== undefined && box.kind !== 'general') {
      checker.problem(
        ['domains', name, 'unifiedMailbox'],
        `box ${box.id} is declared as ${box.kind} (mailboxes[${fileIndex[index] ?? index}]); the unified box must be kind: general`,
      )
    }
  }
}
