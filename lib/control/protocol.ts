import { join } from 'node:path'
import { UPDATE_REASONS, type UpdateReason } from '../contracts/lamps.js'
import { isJobName, type JobName } from '../jobs/types.js'
import type { Mailbox } from '../store/types.js'
import { ControlProtocolError } from './errors.js'

/**
 * The control channel between voicemailctl and the running daemon (one owner per job: lamps, jobs and mail are the
 * daemon's while it runs). A Unix socket `<stateDir>/control.sock`, mode 0600; one request per connection, as one
 * JSON line, answered by one JSON line: `{"ok":true,"result":{…}}` or `{"ok":false,"error":{"code","message"}}`.
 */
export function controlSocketPath(stateDir: string): string {
  return join(stateDir, 'control.sock')
}

/** A box as the lamp request carries it: the row as voicemailctl read it, without the PIN hash. */
export type LampBox = Omit<Mailbox, 'pinHash'>

export type ControlRequest =
  /** Push the lamps of these boxes, one after the other (a box given before and after a change of its accounts). */
  | { op: 'lamps.refresh'; boxes: LampBox[]; reason: UpdateReason }
  /** Announce every enabled box's lamps to every connected node (`mwi resync`, a domain's mode changed). */
  | { op: 'lamps.announce'; reason: UpdateReason }
  /** Run a job now, as its schedule would (joins a run in progress). */
  | { op: 'job.run'; name: JobName }
  /** Send the mail that is due now (`mail retry` made some due). */
  | { op: 'mail.send' }

export type ControlOp = ControlRequest['op']

export type ControlReply =
  { ok: true; result: Record<string, unknown> } | { ok: false; error: { code: string; message: string } }

/** The longest request line the daemon reads (a lamp request for many boxes is well under it). */
export const MAX_REQUEST_BYTES = 1024 * 1024

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlProtocolError('a request is a JSON object')
  }
  return value as Record<string, unknown>
}

function reason(value: unknown): UpdateReason {
  const found = UPDATE_REASONS.find((r) => r === value)
  if (found === undefined)
    throw new ControlProtocolError(`unknown lamp update reason ${JSON.stringify(value)}`)
  return found
}

function lampBox(value: unknown): LampBox {
  const box = record(value)
  const ok =
    typeof box.rowId === 'number' &&
    typeof box.id === 'string' &&
    typeof box.domain === 'string' &&
    typeof box.enabled === 'boolean' &&
    Array.isArray(box.mwiAccounts) &&
    box.mwiAccounts.every((a) => typeof a === 'string')
  if (!ok) throw new ControlProtocolError('a lamp box needs rowId, id, domain, enabled and mwiAccounts')
  return box as unknown as LampBox
}

/** The request a parsed line stands for; throws ControlProtocolError when it is none. */
export function parseRequest(value: unknown): ControlRequest {
  const r = record(value)
  switch (r.op) {
    case 'lamps.refresh':
      if (!Array.isArray(r.boxes)) throw new ControlProtocolError('lamps.refresh needs boxes')
      return { op: r.op, boxes: r.boxes.map(lampBox), reason: reason(r.reason) }
    case 'lamps.announce':
      return { op: r.op, reason: reason(r.reason) }
    case 'job.run':
      if (typeof r.name !== 'string' || !isJobName(r.name)) {
        throw new ControlProtocolError(`unknown job ${JSON.stringify(r.name)}`)
      }
      return { op: r.op, name: r.name }
    case 'mail.send':
      return { op: r.op }
    default:
      throw new ControlProtocolError(`unknown request ${JSON.stringify(r.op)}`)
  }
}

/** The reply a parsed line stands for; throws ControlProtocolError when it is none. */
export function parseReply(value: unknown): ControlReply {
  const r = record(value)
  if (r.ok === true) return { ok: true, result: record(r.result) }
  if (r.ok === false) {
    const error = record(r.error)
    if (typeof error.code === 'string' && typeof error.message === 'string') {
      return { ok: false, error: { code: error.code, message: error.message } }
    }
  }
  throw new ControlProtocolError('not a control reply')
}
