import type { Config } from '../config/types.js'
import { quotaState } from '../quota/box-quota.js'
import type { Fullness } from '../quota/rules.js'
import type { Store } from '../store/index.js'
import type { Mailbox } from '../store/types.js'
import { fields, formatBytes, formatTime } from './output.js'

/** A box as voicemailctl shows it (`--json` shape of `mailbox show/add/set`). Never contains the PIN hash. */
export interface BoxView {
  id: string
  domain: string
  kind: string
  name: string
  enabled: boolean
  email: string[]
  attachAudio: boolean
  keepAfterEmail: boolean
  notifyFull: boolean
  mwiAccounts: string[]
  quotaBytes: number
  quotaIsDefault: boolean
  usedBytes: number
  usedPercent: number
  /** The quota rule's verdict (quota/rules.ts `fullness`), as the owner hears it and the page shows it. */
  quotaState: Fullness
  timezone?: string
  activeGreeting: string
  greetings: string[]
  pin: 'set' | 'temporary' | 'none'
  /** Remote PIN entry refused until (5000, `*` from a greeting, `login`, the web page). */
  lockedUntil?: number
  /** PIN entry from the box's own phone refused until. */
  ownerLockedUntil?: number
  messages: { new: number; saved: number; newUrgent: number; savedUrgent: number }
  createdAt: number
  updatedAt: number
}

/** Resolves to the operator's view of `box` (usage, greetings, counts read from the store). */
export async function viewBox(store: Store, config: Config, box: Mailbox): Promise<BoxView> {
  const usage = await quotaState(box, { store, config })
  const greetings = await store.greetings.list(box.rowId)
  const view: BoxView = {
    id: box.id,
    domain: box.domain,
    kind: box.kind,
    name: box.name,
    enabled: box.enabled,
    email: box.email,
    attachAudio: box.attachAudio,
    keepAfterEmail: box.keepAfterEmail,
    notifyFull: box.notifyFull,
    mwiAccounts: box.mwiAccounts,
    quotaBytes: usage.quotaBytes,
    quotaIsDefault: box.quotaBytes === undefined,
    usedBytes: usage.usedBytes,
    usedPercent: Math.round(usage.percent * 10) / 10,
    quotaState: usage.state,
    activeGreeting: box.activeGreeting,
    greetings: greetings.map((g) => g.kind),
    pin: box.pinHash === undefined ? 'none' : box.pinTemporary ? 'temporary' : 'set',
    messages: await store.messages.counts(box.rowId),
    createdAt: box.createdAt,
    updatedAt: box.updatedAt,
  }
  if (box.timezone !== undefined) view.timezone = box.timezone
  if (box.lockedUntil !== undefined) view.lockedUntil = box.lockedUntil
  if (box.ownerLockedUntil !== undefined) view.ownerLockedUntil = box.ownerLockedUntil
  return view
}

const quotaStateText: Record<Fullness, string> = { ok: '', 'almost-full': ', almost full', full: ', full' }

const pinText = {
  set: 'set',
  temporary: 'temporary (must be changed at next login)',
  none: 'not set (set at first login)',
}

function lockText(until: number | undefined, now: number, zone: string): string {
  return until !== undefined && until > now ? `until ${formatTime(until, zone)}` : 'no'
}

/** The text form of `mailbox show`. */
export function boxText(view: BoxView, now: number): string {
  const zone = view.timezone ?? 'UTC'
  return fields([
    ['mailbox', `${view.id}@${view.domain}`],
    ['kind', view.kind],
    ['name', view.name === '' ? undefined : view.name],
    ['enabled', view.enabled ? 'yes' : 'no'],
    ['email', view.email],
    ['attach audio', view.attachAudio ? 'yes' : 'no'],
    ['keep after email', view.keepAfterEmail ? 'yes' : 'no'],
    ['full-box notice', view.notifyFull ? 'yes' : 'no'],
    ['mwi accounts', view.mwiAccounts],
    [
      'quota',
      `${formatBytes(view.usedBytes)} of ${formatBytes(view.quotaBytes)} (${view.usedPercent} %)${view.quotaIsDefault ? ', default quota' : ''}${quotaStateText[view.quotaState]}`,
    ],
    ['timezone', view.timezone ?? 'domain default'],
    ['active greeting', view.activeGreeting],
    ['greetings', view.greetings],
    ['pin', pinText[view.pin]],
    ['locked', lockText(view.lockedUntil, now, zone)],
    ['own phone locked', lockText(view.ownerLockedUntil, now, zone)],
    [
      'messages',
      `${view.messages.new} new (${view.messages.newUrgent} urgent), ${view.messages.saved} saved (${view.messages.savedUrgent} urgent)`,
    ],
  ])
}
