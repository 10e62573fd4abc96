import { defaultDomainSettings } from '../config/defaults.js'
import type { MailboxKind } from '../config/types.js'
import { quotaState } from '../quota/box-quota.js'
import type { MailboxSettings } from '../store/mailboxes.js'
import { unlinkRemoved } from '../store/unlink-removed.js'
import {
  boxId,
  domainOf,
  emails,
  mwiAccounts,
  oneOf,
  positiveIntOrDefault,
  requireBox,
  str,
  timezoneOrDefault,
  yesNo,
} from './args.js'
import { boxText, viewBox } from './box-view.js'
import type { Command, OptionValues } from './command.js'
import type { CtlContext } from './context.js'
import { RefusedError, UsageError } from './errors.js'
import { refreshLamps } from './lamps.js'
import { formatBytes, table } from './output.js'

const KINDS: readonly MailboxKind[] = ['personal', 'general']
const ACTOR = 'voicemailctl'

const domainOption = {
  domain: { type: 'string', short: 'd', value: 'DOMAIN', help: "the box's domain (default: defaultDomain)" },
} as const

const settingOptions = {
  ...domainOption,
  kind: {
    type: 'string',
    value: 'personal|general',
    help: 'personal (one per extension) or general (department)',
  },
  name: { type: 'string', value: 'NAME', help: 'display name' },
  email: { type: 'string', value: 'A,B', help: 'mail recipients, comma-separated ("none" clears)' },
  'mwi-accounts': {
    type: 'string',
    value: 'U@D,…',
    help: 'extra phones whose lamp follows this box ("none" clears)',
  },
  'quota-bytes': { type: 'string', value: 'N', help: 'quota in bytes ("default" = defaultQuotaBytes)' },
  timezone: { type: 'string', value: 'ZONE', help: 'IANA zone for dates ("default" = the domain\'s)' },
  'attach-audio': { type: 'string', value: 'yes|no', help: 'attach the WAV to mails' },
  'keep-after-email': { type: 'string', value: 'yes|no', help: 'keep the message once mailed' },
  'notify-full': { type: 'string', value: 'yes|no', help: 'mail when the box is full' },
  enabled: { type: 'string', value: 'yes|no', help: 'a disabled box takes no messages and no logins' },
} as const

function settingsFrom(values: OptionValues): MailboxSettings {
  const s: MailboxSettings = {}
  const kind = str(values, 'kind')
  if (kind !== undefined) s.kind = oneOf(kind, KINDS, '--kind')
  const name = str(values, 'name')
  if (name !== undefined) {
    if (/[\u0000-\u001f]/.test(name)) throw new UsageError('--name must not contain control characters')
    s.name = name
  }
  const email = emails(values, 'email')
  if (email !== undefined) s.email = email
  const accounts = mwiAccounts(values, 'mwi-accounts')
  if (accounts !== undefined) s.mwiAccounts = accounts
  const quota = positiveIntOrDefault(values, 'quota-bytes')
  if (quota !== undefined) s.quotaBytes = quota
  const zone = timezoneOrDefault(values, 'timezone')
  if (zone !== undefined) s.timezone = zone
  for (const [option, key] of [
    ['attach-audio', 'attachAudio'],
    ['keep-after-email', 'keepAfterEmail'],
    ['notify-full', 'notifyFull'],
    ['enabled', 'enabled'],
  ] as const) {
    const v = yesNo(values, option)
    if (v !== undefined) s[key] = v
  }
  return s
}

/** Declared boxes get their declared settings back at the next start/reload: say so when editing one. */
function noteDeclared(ctx: CtlContext, domain: string, id: string): void {
  if (ctx.config.mailboxes.some((d) => d.id === id && d.domain.toLowerCase() === domain)) {
    ctx.out.note(
      `${id}@${domain} is declared in the config file: its declared settings are applied again at reload`,
    )
  }
}

async function show(ctx: CtlContext, domain: string, id: string): Promise<void> {
  const store = await ctx.store()
  const view = await viewBox(store, ctx.config, await requireBox(store, domain, id))
  ctx.out.result({ mailbox: view }, () => boxText(view, ctx.clock.now()))
}

/** The `mailbox` command group. */
export const mailboxCommands: Command[] = [
  {
    name: 'mailbox add',
    summary: 'Create a mailbox (and its domain, with default settings, if it has none yet).',
    args: ['ID'],
    options: settingOptions,
    notes:
      'example: voicemailctl mailbox add 800 --domain pbx.example.com --kind general --name Sales \\\n  --email sales@example.com,boss@example.com --mwi-accounts 101@pbx.example.com --quota-bytes 20971520',
    async run(ctx, { values, positionals }) {
      const id = boxId(positionals[0])
      const domain = domainOf(ctx, values)
      const settings = settingsFrom(values)
      const store = await ctx.store()
      await store.domains.ensure(domain, ctx.config.domains[domain] ?? defaultDomainSettings)
      const { kind, ...rest } = settings
      const box = await store.mailboxes.create({ ...rest, domain, id, kind: kind ?? 'personal' })
      await store.audit.append({
        mailboxRowId: box.rowId,
        actor: ACTOR,
        action: 'box.created',
        detail: { box: `${id}@${domain}` },
      })
      noteDeclared(ctx, domain, id)
      if (box.pinHash === undefined)
        ctx.out.note('no PIN yet: the owner sets one at first login (or: voicemailctl pin reset)')
      await show(ctx, domain, id)
    },
  },
  {
    name: 'mailbox set',
    summary: 'Change settings of a mailbox; options left out are not touched.',
    args: ['ID'],
    options: {
      ...settingOptions,
      unlock: { type: 'boolean', help: 'clear PIN lockouts (remote and own phone) now' },
    },
    notes: 'example: voicemailctl mailbox set 100 --email alice@example.com --quota-bytes default',
    async run(ctx, { values, positionals }) {
      const id = boxId(positionals[0])
      const domain = domainOf(ctx, values)
      const settings = settingsFrom(values)
      const unlock = values.unlock === true
      if (Object.keys(settings).length === 0 && !unlock)
        throw new UsageError('nothing to change (see --help)')
      const store = await ctx.store()
      const box = await requireBox(store, domain, id)
      if (Object.keys(settings).length > 0) {
        await store.mailboxes.update(box.rowId, settings)
        await store.audit.append({
          mailboxRowId: box.rowId,
          actor: ACTOR,
          action: 'box.updated',
          detail: { box: `${id}@${domain}`, settings: Object.keys(settings) },
        })
      }
      // Both locks (remote and the own phone's) and every failure counted towards them.
      if (unlock) await store.lockout(ctx.config.security).unlock(box, ACTOR)
      if (settings.enabled !== undefined || settings.mwiAccounts !== undefined) {
        // What the box lights changed: push the accounts it listed before (now without it) and those it lists now.
        const updated = await requireBox(store, domain, id)
        await refreshLamps(ctx, [box, updated], 'UNKNOWN')
      }
      noteDeclared(ctx, domain, id)
      await show(ctx, domain, id)
    },
  },
  {
    name: 'mailbox show',
    summary: 'Show a mailbox: settings, quota use, greetings, PIN state, message counts.',
    args: ['ID'],
    options: domainOption,
    async run(ctx, { values, positionals }) {
      await show(ctx, domainOf(ctx, values), boxId(positionals[0]))
    },
  },
  {
    name: 'mailbox list',
    summary: 'List mailboxes (of one domain with --domain).',
    args: [],
    options: { domain: { type: 'string', short: 'd', value: 'DOMAIN', help: 'only this domain' } },
    async run(ctx, { values }) {
      const store = await ctx.store()
      const domain = str(values, 'domain')?.toLowerCase()
      const boxes = await store.mailboxes.list(domain)
      const counts = await store.messages.countsByBox()
      const rows: Array<
        Record<string, unknown> & {
          id: string
          domain: string
          kind: string
          name: string
          enabled: boolean
          locked: boolean
          new: number
          saved: number
          usedBytes: number
          usedPercent: number
        }
      > = []
      for (const box of boxes) {
        const usage = await quotaState(box, { store, config: ctx.config })
        const c = counts.get(box.rowId) ?? { new: 0, saved: 0, newUrgent: 0, savedUrgent: 0 }
        rows.push({
          id: box.id,
          domain: box.domain,
          kind: box.kind,
          name: box.name,
          enabled: box.enabled,
          locked: [box.lockedUntil, box.ownerLockedUntil].some((u) => u !== undefined && u > ctx.clock.now()),
          new: c.new,
          saved: c.saved,
          usedBytes: usage.usedBytes,
          quotaBytes: usage.quotaBytes,
          usedPercent: Math.round(usage.percent * 10) / 10,
        })
      }
      ctx.out.result({ mailboxes: rows }, () =>
        rows.length === 0
          ? 'no mailboxes'
          : table(
              ['BOX', 'DOMAIN', 'KIND', 'NAME', 'NEW', 'SAVED', 'USED', 'FLAGS'],
              rows.map((r) => [
                r.id,
                r.domain,
                r.kind,
                r.name,
                r.new,
                r.saved,
                `${formatBytes(r.usedBytes)} (${r.usedPercent} %)`,
                [r.enabled ? '' : 'disabled', r.locked ? 'locked' : ''].filter((f) => f !== '').join(','),
              ]),
            ),
      )
    },
  },
  {
    name: 'mailbox remove',
    summary: 'Delete a mailbox with all its messages, greetings and audio files. Needs --yes.',
    args: ['ID'],
    options: { ...domainOption, yes: { type: 'boolean', short: 'y', help: 'really delete it' } },
    async run(ctx, { values, positionals }) {
      const id = boxId(positionals[0])
      const domain = domainOf(ctx, values)
      const store = await ctx.store()
      const box = await requireBox(store, domain, id)
      if (values.yes !== true) {
        const counts = await store.messages.counts(box.rowId)
        throw new RefusedError(
          `not removing ${id}@${domain} without --yes`,
          [`it holds ${counts.new} new and ${counts.saved} saved messages; this cannot be undone`],
          'confirmation-required',
        )
      }
      const files = (await store.mailboxes.remove(box.rowId)) ?? []
      await store.audit.append({
        mailboxRowId: box.rowId,
        actor: ACTOR,
        action: 'box.removed',
        detail: { box: `${id}@${domain}`, files: files.length },
      })
      // The files were tombstoned with the rows: unlink them, then whatever else is left in the folder. A crash in
      // between leaves files reconcile removes, never adopts (even when the box is declared again).
      const unlinked = await unlinkRemoved(store, ctx.files, files, ctx.log)
      if (unlinked.failed > 0) {
        ctx.out.note(
          `${unlinked.failed} audio file(s) could not be removed now; the next reconcile removes them`,
        )
      }
      await ctx.files.removeBoxDir(domain, id)
      // Its phones' lamps go dark now (the box's counts read as zero), not at the next resync.
      await refreshLamps(ctx, [box], 'DELETE')
      if (ctx.config.mailboxes.some((d) => d.id === id && d.domain.toLowerCase() === domain)) {
        ctx.out.note(
          `${id}@${domain} is declared in the config file: it is created again at the next start/reload unless you remove it there`,
        )
      }
      ctx.out.result(
        { removed: { id, domain, files: files.length } },
        () => `removed ${id}@${domain} (${files.length} audio files)`,
      )
    },
  },
]
