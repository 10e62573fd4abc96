import type { ServiceDeps } from '../contracts/service-deps.js'
import { formatDateTime, formatDuration, validTimezone } from '../mail/format.js'
import { quotaState } from '../quota/box-quota.js'
import type { Fullness } from '../quota/rules.js'
import { domainSettings } from '../store/domain-settings.js'
import type { Greeting, GreetingKind, Mailbox, Message, MessageCounts } from '../store/types.js'

/** A message as the page shows it: envelope fields, times already written in the box's time zone. */
export interface MessageView {
  id: string
  folder: 'new' | 'saved'
  deleted: boolean
  urgent: boolean
  heard: boolean
  callerName: string
  callerNumber: string
  receivedAt: string
  /** "Thursday, 26 November 2026 11:47" in the box's zone, as the mail says it. */
  received: string
  durationMs: number
  duration: string
  forwardedFrom?: string
  /** The audio file is gone (reconcile marked it): shown, not playable. */
  missing: boolean
}

export interface BoxView {
  box: { id: string; domain: string; name: string; timezone: string }
  counts: MessageCounts & { deleted: number }
  quota: { usedBytes: number; quotaBytes: number; percent: number; state: Fullness }
  /** New (urgent first, then oldest first), then saved (oldest first): the phone's order and numbering. */
  messages: MessageView[]
  /** Marked deleted, not purged yet (at logout, or by the nightly cleanup): still undeletable. */
  deleted: MessageView[]
}

/** The zone a box's dates are shown in: its own, else its domain's (as the phone's envelope and the mail). */
export async function boxTimezone(
  box: Mailbox,
  deps: Pick<ServiceDeps, 'store' | 'config'>,
): Promise<string> {
  return validTimezone(box.timezone ?? (await domainSettings(box.domain, deps)).timezone)
}

export function messageView(message: Message, zone: string): MessageView {
  const view: MessageView = {
    id: message.uuid,
    folder: message.folder,
    deleted: message.deleted,
    urgent: message.urgent,
    heard: message.heardAt !== undefined,
    callerName: message.callerIdName,
    callerNumber: message.callerIdNumber,
    receivedAt: new Date(message.receivedAt).toISOString(),
    received: formatDateTime(message.receivedAt, zone),
    durationMs: message.durationMs,
    duration: formatDuration(message.durationMs),
    missing: message.missing,
  }
  if (message.forwardedFrom !== undefined) view.forwardedFrom = message.forwardedFrom
  return view
}

/** Everything the box page shows, read afresh (counts and the full/almost-full rule as the phone announces them). */
export async function boxView(box: Mailbox, deps: Pick<ServiceDeps, 'store' | 'config'>): Promise<BoxView> {
  const zone = await boxTimezone(box, deps)
  const [fresh, saved, all, counts, quota] = await Promise.all([
    deps.store.messages.listForOwner(box.rowId, 'new'),
    deps.store.messages.listForOwner(box.rowId, 'saved'),
    deps.store.messages.listAll(box.rowId),
    deps.store.messages.counts(box.rowId),
    quotaState(box, deps),
  ])
  const deleted = all.filter((m) => m.deleted)
  return {
    box: { id: box.id, domain: box.domain, name: box.name, timezone: zone },
    counts: { ...counts, deleted: deleted.length },
    quota: {
      usedBytes: quota.usedBytes,
      quotaBytes: quota.quotaBytes,
      percent: Math.round(quota.percent),
      state: quota.state,
    },
    messages: [...fresh, ...saved].map((m) => messageView(m, zone)),
    deleted: deleted.map((m) => messageView(m, zone)),
  }
}

export interface GreetingView {
  kind: GreetingKind
  recorded: boolean
  durationMs?: number
  duration?: string
  recordedAt?: string
}

export interface GreetingsView {
  greetings: GreetingView[]
  /** The greeting chosen for ordinary unanswered calls (`name` = the standard announcement). */
  active: 'unavailable' | 'busy' | 'name'
  /** What a caller hears right now on an unanswered call, in words. */
  callersHear: string
  maxSeconds: number
  maxUploadBytes: number
}

const KINDS: readonly GreetingKind[] = ['unavailable', 'busy', 'temporary', 'name']

/** The box's greetings and what callers hear, by the same chain the deposit flow plays (`greetingFiles`). */
export function greetingsView(
  box: Mailbox,
  list: readonly Greeting[],
  limits: { maxSeconds: number; maxUploadBytes: number },
): GreetingsView {
  const byKind = new Map(list.map((g) => [g.kind, g]))
  const greetings = KINDS.map((kind): GreetingView => {
    const g = byKind.get(kind)
    return g === undefined
      ? { kind, recorded: false }
      : {
          kind,
          recorded: true,
          durationMs: g.durationMs,
          duration: formatDuration(g.durationMs),
          recordedAt: new Date(g.createdAt).toISOString(),
        }
  })
  const active =
    box.activeGreeting === 'busy' || box.activeGreeting === 'name' ? box.activeGreeting : 'unavailable'
  return { greetings, active, callersHear: callersHear(active, byKind), ...limits }
}

function callersHear(active: GreetingsView['active'], recorded: ReadonlyMap<GreetingKind, Greeting>): string {
  if (recorded.has('temporary')) return 'your temporary greeting (it replaces all the others while it is set)'
  if (active === 'busy' && recorded.has('busy')) return 'your busy greeting'
  if (active === 'busy' && recorded.has('unavailable'))
    return 'your unavailable greeting (no busy greeting is recorded)'
  if (active === 'unavailable' && recorded.has('unavailable')) return 'your unavailable greeting'
  if (recorded.has('name')) return 'your recorded name, then "is not available"'
  return 'the standard announcement with your mailbox number'
}
