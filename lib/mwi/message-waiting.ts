import type { UpdateReason } from '../contracts/lamps.js'
import type { MessageCounts } from '../store/types.js'

export type HeaderList = Array<[string, string]>

/** The zero counts: an empty box, or an account no box lights. */
export const noMessages: Readonly<MessageCounts> = Object.freeze({
  new: 0,
  saved: 0,
  newUrgent: 0,
  savedUrgent: 0,
})

/**
 * `<new>/<saved> (<newUrgent>/<savedUrgent>)`: the long form mod_voicemail sends with `send-full-vm-header`
 * (vm.c:1941–1946) and in every query answer. "new" already includes the urgent new messages; the urgent counts
 * are subsets (RFC 3842 §5.2 "urgent" is a subset too).
 */
export function voiceMessageLine(counts: MessageCounts): string {
  return `${count(counts.new)}/${count(counts.saved)} (${count(counts.newUrgent)}/${count(counts.savedUrgent)})`
}

/** The lamp is on iff at least one message is new; urgent new messages are counted in `new`. */
export function messagesWaiting(counts: MessageCounts): 'yes' | 'no' {
  return count(counts.new) > 0 ? 'yes' : 'no'
}

export interface MessageWaitingInput {
  counts: MessageCounts
  /** Goes into `MWI-Message-Account` as given: `sip:<id>@<domain>` for pushes, the query's account for answers. */
  account: string
  /** Omitted in query answers, as mod_voicemail does (vm.c:3955–4041). */
  reason?: UpdateReason
  /** Headers copied from a MESSAGE_QUERY (see `echoedHeaders`), appended last. */
  echo?: ReadonlyArray<readonly [string, string]>
}

/**
 * The ordered headers of `sendevent MESSAGE_WAITING`, matching the capture `mwi-query-session.txt`:
 * `MWI-Messages-Waiting`, `MWI-Message-Account`, `MWI-Voice-Message`, then `Update-Reason`, then the echoed
 * routing headers (`Sofia-Profile`, `Call-ID` / `sub-call-id`).
 *
 * `MWI-Voice-Message` is sent even for an empty box (`0/0 (0/0)`). mod_voicemail leaves it out then, but a phone
 * that once showed "3 new" keeps the stale number on some models until it gets a count, and the line is valid
 * RFC 3842 either way. Values are raw (FreeSWITCH does not url-decode sendevent values, mes.c:1300–1313); a value
 * with CR, LF or NUL would end the command early, so an echoed header carrying one is dropped (see
 * `echoedHeaders`) and an account carrying one makes this throw a TypeError (a bug in the caller: accounts come
 * from parsed, validated strings).
 */
export function buildMessageWaiting(input: MessageWaitingInput): HeaderList {
  if (!isSafeValue(input.account)) throw new TypeError('MWI account must be a non-empty single-line value')
  const headers: HeaderList = [
    ['MWI-Messages-Waiting', messagesWaiting(input.counts)],
    ['MWI-Message-Account', input.account],
    ['MWI-Voice-Message', voiceMessageLine(input.counts)],
  ]
  if (input.reason !== undefined) headers.push(['Update-Reason', input.reason])
  for (const [name, value] of input.echo ?? []) headers.push([name, value])
  return headers
}

/**
 * The routing headers of a MESSAGE_QUERY to copy into its answer: every header whose name starts with `VM-`
 * (any case, as mod_voicemail's `strncasecmp`, vm.c:4033–4038), with the prefix removed and the rest of the name
 * kept as sent (`VM-Sofia-Profile` → `Sofia-Profile`, `VM-Call-ID` → `Call-ID`, `VM-sub-call-id` →
 * `sub-call-id`). They make sofia NOTIFY only the asking registration or subscription (sp.c:510–514).
 *
 * Headers whose value is empty or holds CR/LF/NUL, or whose stripped name is not a plain token, are left out:
 * they cannot be sent raw, and without them the answer still reaches the phone (sofia then notifies every dialog
 * of that account, with the same counts).
 */
export function echoedHeaders(headers: Iterable<readonly [string, string]>): HeaderList {
  const echoed: HeaderList = []
  for (const [name, value] of headers) {
    if (name.length <= 3 || name.slice(0, 3).toLowerCase() !== 'vm-') continue
    const stripped = name.slice(3)
    if (!/^[A-Za-z0-9_-]+$/.test(stripped) || !isSafeValue(value)) continue
    echoed.push([stripped, value])
  }
  return echoed
}

/** A value `sendevent` can carry raw: non-empty, no CR, LF or NUL. */
export function isSafeValue(value: string): boolean {
  return value.length > 0 && !/[\r\n\0]/.test(value)
}

/** Counts are row counts; anything else (negative, fractional, NaN) is a bug upstream, shown as 0 not as junk. */
function count(n: number): number {
  return Number.isSafeInteger(n) && n > 0 ? n : 0
}
