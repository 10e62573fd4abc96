import { OutboxPayloadError } from './errors.js'
import { formatDateTime, formatDuration, formatMegabytes, sanitizeLine } from './format.js'
import type { TemplateName } from './templates.js'

/**
 * What an outbox row carries. Everything a mail needs is captured when it is queued (box name, counts, the
 * zone resolved from box or domain), so a retry hours later renders the same mail even if the message was
 * deleted meanwhile. Only the templates are applied at send time, so a fixed template helps queued mail too.
 */
export type MailKind = 'new-message' | 'message-copy' | 'mailbox-full' | 'lockout'

export const mailKinds: readonly MailKind[] = ['new-message', 'message-copy', 'mailbox-full', 'lockout']

export interface BoxInfo {
  id: string
  name: string
  domain: string
  /** IANA zone, already resolved (box's own, else its domain's, else UTC). */
  timezone: string
}

interface PayloadBase {
  v: 1
  /** Random part of the Message-ID, fixed at queue time so every retry sends the same Message-ID. */
  mid: string
  box: BoxInfo
}

export interface MessagePayload extends PayloadBase {
  messageUuid: string
  callerName: string
  callerNumber: string
  receivedAt: number
  durationMs: number
  urgent: boolean
  newCount: number
  savedCount: number
  /** The WAV to attach, relative to the state directory; absent when the box does not attach audio. */
  attachFile?: string
}

export interface FullPayload extends PayloadBase {
  usedBytes: number
  quotaBytes: number
}

export interface LockoutPayload extends PayloadBase {
  lockedUntil: number
  /** Which kind of access was locked (absent in rows queued before remote lockout existed: remote). */
  access?: 'owner' | 'remote'
}

/** The `lockedAccess` template variable: who can no longer get in, in words an owner understands. */
export const lockedAccessText = {
  remote: 'from anywhere but your own phone (mailbox number, * during the greeting, the voicemail page)',
  owner: 'from your own phone',
} as const

export type MailPayload =
  | { kind: 'new-message' | 'message-copy'; payload: MessagePayload }
  | { kind: 'mailbox-full'; payload: FullPayload }
  | { kind: 'lockout'; payload: LockoutPayload }

/** Which template family renders a kind. */
export function templateFor(kind: MailKind): TemplateName {
  return kind === 'message-copy' ? 'new-message' : kind
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

/**
 * Check an outbox row's kind and payload shape. Resolves the typed pair; throws OutboxPayloadError for an
 * unknown kind or a payload missing its box (the worker marks such a row failed rather than retrying forever).
 */
export function parsePayload(kind: string, raw: unknown): MailPayload {
  if (!(mailKinds as readonly string[]).includes(kind))
    throw new OutboxPayloadError(`unknown mail kind ${kind}`)
  if (!isRecord(raw) || raw.v !== 1 || typeof raw.mid !== 'string' || !isRecord(raw.box)) {
    throw new OutboxPayloadError(`unreadable ${kind} payload`)
  }
  return { kind, payload: raw } as unknown as MailPayload
}

/** A caller shown in one line: "Alice <1001>", "1001", "Alice", or "an unknown caller". */
export function callerLabel(name: string, number: string): string {
  if (name !== '' && number !== '' && name !== number) return `${name} <${number}>`
  if (number !== '') return number
  if (name !== '') return name
  return 'an unknown caller'
}

/**
 * The template variables of a mail, every value one line. Caller data is sanitised here (control characters
 * such as CR/LF removed, length capped) so neither a header nor a body line can be forged from it.
 */
export function variablesFor(mail: MailPayload): Record<string, string> {
  const { box } = mail.payload
  const vars: Record<string, string> = {
    mailboxId: box.id,
    mailboxName: sanitizeLine(box.name, 80) || box.id,
    domain: box.domain,
    timezone: box.timezone,
  }
  switch (mail.kind) {
    case 'new-message':
    case 'message-copy': {
      const p = mail.payload
      const callerName = sanitizeLine(p.callerName, 80)
      const callerNumber = sanitizeLine(p.callerNumber, 40)
      return {
        ...vars,
        callerName,
        callerNumber,
        caller: callerLabel(callerName, callerNumber),
        receivedAt: formatDateTime(p.receivedAt, box.timezone),
        duration: formatDuration(p.durationMs),
        urgent: p.urgent ? 'yes' : 'no',
        urgentPrefix: p.urgent ? '[URGENT] ' : '',
        newCount: String(p.newCount),
        savedCount: String(p.savedCount),
      }
    }
    case 'mailbox-full': {
      const p = mail.payload
      const percent = p.quotaBytes > 0 ? Math.floor((p.usedBytes / p.quotaBytes) * 100) : 100
      return {
        ...vars,
        usagePercent: String(percent),
        usedMb: formatMegabytes(p.usedBytes),
        quotaMb: formatMegabytes(p.quotaBytes),
      }
    }
    case 'lockout':
      return {
        ...vars,
        lockedUntil: formatDateTime(mail.payload.lockedUntil, box.timezone),
        lockedAccess: lockedAccessText[mail.payload.access === 'owner' ? 'owner' : 'remote'],
      }
  }
}
