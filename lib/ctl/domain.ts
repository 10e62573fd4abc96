import { defaultDomainSettings } from '../config/defaults.js'
import type { DomainMode } from '../config/types.js'
import type { Domain } from '../store/types.js'
import { refreshAllLamps } from './lamps.js'
import { isBoxNumber, isSafeDomain } from '../mailbox-values.js'
import { oneOf, str, timezoneOrDefault, failUsageIf, yesNo } from './args.js'
import type { Command } from './command.js'
import { UsageError } from './errors.js'
import { fields, table } from './output.js'

const MODES: readonly DomainMode[] = ['dual', 'unified']

function view(d: Domain): Record<string, unknown> {
  return {
    name: d.name,
    mode: d.mode,
    unifiedMailbox: d.unifiedMailbox ?? null,
    operator: d.operator ?? null,
    autoProvision: d.autoProvision,
    timezone: d.timezone,
  }
}

function domainArg(value: string | undefined): string {
  if (value === undefined) throw new UsageError('missing domain name')
  const name = value.toLowerCase()
  if (!isSafeDomain(name)) throw new UsageError(`invalid domain ${JSON.stringify(value)}`)
  return name
}

/** An extension or box option: digits (FreeSWITCH extensions may also use *, #), or `none`. */
function extension(value: string | undefined, what: string, boxOnly: boolean): string | null | undefined {
  if (value === undefined) return undefined
  if (value === 'none') return null
  const ok = boxOnly ? isBoxNumber(value) : /^[0-9*#]{1,20}$/.test(value)
  failUsageIf(
    !ok,
    `${what} must be ${boxOnly ? 'a 2 to 10 digit box number' : 'an extension'} or "none", got ${JSON.stringify(value)}`,
  )
  return value
}

/** The `domain` command group. */
export const domainCommands: Command[] = [
  {
    name: 'domain set',
    summary: 'Create a domain or change its settings; options left out keep their value.',
    args: ['DOMAIN'],
    options: {
      mode: {
        type: 'string',
        value: 'dual|unified',
        help: 'dual: personal boxes; unified: 5001 opens one general box',
      },
      'unified-mailbox': { type: 'string', value: 'ID|none', help: 'the general box of unified mode' },
      operator: { type: 'string', value: 'EXT|none', help: 'extension 0 transfers to during a greeting' },
      'auto-provision': { type: 'string', value: 'yes|no', help: 'create personal boxes on first use' },
      timezone: { type: 'string', value: 'ZONE', help: 'IANA zone for dates spoken and mailed' },
    },
    notes:
      'example: voicemailctl domain set pbx.example.com --mode unified --unified-mailbox 800 --operator 0',
    async run(ctx, { values, positionals }) {
      const name = domainArg(positionals[0])
      const store = await ctx.store()
      const current: Domain = (await store.domains.get(name)) ?? {
        name,
        ...(ctx.config.domains[name] ?? defaultDomainSettings),
      }
      const next: Domain = { ...current }
      const mode = str(values, 'mode')
      if (mode !== undefined) next.mode = oneOf(mode, MODES, '--mode')
      const unified = extension(str(values, 'unified-mailbox'), '--unified-mailbox', true)
      if (unified === null) delete next.unifiedMailbox
      else if (unified !== undefined) next.unifiedMailbox = unified
      const operator = extension(str(values, 'operator'), '--operator', false)
      if (operator === null) delete next.operator
      else if (operator !== undefined) next.operator = operator
      const auto = yesNo(values, 'auto-provision')
      if (auto !== undefined) next.autoProvision = auto
      const zone = timezoneOrDefault(values, 'timezone')
      if (zone === null) next.timezone = defaultDomainSettings.timezone
      else if (zone !== undefined) next.timezone = zone
      if (next.mode === 'unified' && next.unifiedMailbox === undefined) {
        throw new UsageError(
          "unified mode needs --unified-mailbox (the general box every phone's Message button opens)",
        )
      }
      const stored = await store.domains.upsert(next)
      await store.audit.append({ actor: 'voicemailctl', action: 'domain.updated', detail: { domain: name } })
      // The mode and the unified box decide which box a phone without its own follows: re-announce the lamps.
      if (stored.mode !== current.mode || stored.unifiedMailbox !== current.unifiedMailbox)
        await refreshAllLamps(ctx, 'UNKNOWN')
      if (stored.mode === 'unified' && stored.unifiedMailbox !== undefined) {
        const box = await store.mailboxes.find(name, stored.unifiedMailbox)
        if (box === undefined)
          ctx.out.note(
            `unified box ${stored.unifiedMailbox}@${name} does not exist yet: voicemailctl mailbox add ${stored.unifiedMailbox} --domain ${name} --kind general`,
          )
        else if (box.kind !== 'general')
          ctx.out.note(`unified box ${box.id}@${name} is a personal box; a general box is expected`)
      }
      if (ctx.config.domains[name] !== undefined)
        ctx.out.note(
          `${name} is declared in the config file: its declared settings are applied again at reload`,
        )
      ctx.out.result({ domain: view(stored) }, () => domainText(stored))
    },
  },
  {
    name: 'domain list',
    summary: 'List domains and their settings.',
    args: [],
    async run(ctx) {
      const store = await ctx.store()
      const domains = await store.domains.list()
      ctx.out.result({ domains: domains.map(view) }, () =>
        domains.length === 0
          ? 'no domains'
          : table(
              ['DOMAIN', 'MODE', 'UNIFIED BOX', 'OPERATOR', 'AUTO-PROVISION', 'TIMEZONE'],
              domains.map((d) => [
                d.name,
                d.mode,
                d.unifiedMailbox,
                d.operator,
                d.autoProvision ? 'yes' : 'no',
                d.timezone,
              ]),
            ),
      )
    },
  },
]

function domainText(d: Domain): string {
  return fields([
    ['domain', d.name],
    ['mode', d.mode],
    ['unified box', d.unifiedMailbox],
    ['operator', d.operator],
    ['auto-provision', d.autoProvision ? 'yes' : 'no'],
    ['timezone', d.timezone],
  ])
}
