import type { CallInfo } from './call.js'
import type { FsEvent } from './link.js'
import type { EslEvent } from './modesl-patched.js'

const UNDEF = '_undef_'

/**
 * Reading modesl Events. Values arrive already decoded: JSON events carry raw UTF-8 strings, plain headers went
 * through `safeDecode` in the parser guard. JSON array headers (FreeSWITCH `ARRAY::` variables) stay arrays in
 * modesl; we turn them back into FreeSWITCH's own `ARRAY::a|:b` text so every value is a string.
 */
export function header(event: EslEvent, name: string): string | undefined {
  const value = event.getHeader(name)
  // Plain serialization writes an empty value as `_undef_` (ev.c:1603): it means "no value", e.g. a caller with
  // no caller-id name. Treat it as absent, so it never reaches a mail or the owner's envelope as text.
  if (value === null || value === undefined || value === UNDEF) return undefined
  if (Array.isArray(value)) return `ARRAY::${value.join('|:')}`
  return String(value)
}

/** All `variable_*` headers of an event, prefix removed. */
export function variablesOf(event: EslEvent): Map<string, string> {
  const vars = new Map<string, string>()
  for (const { name } of event.headers) {
    if (!name.startsWith('variable_')) continue
    const value = header(event, name)
    if (value !== undefined) vars.set(name.slice('variable_'.length), value)
  }
  return vars
}

/** All headers of an event as strings, for `FsEvent`. Duplicate names were already collapsed by modesl. */
export function headersOf(event: EslEvent): Map<string, string> {
  const headers = new Map<string, string>()
  for (const { name } of event.headers) {
    const value = header(event, name)
    if (value !== undefined) headers.set(name, value)
  }
  return headers
}

/** The link-facing view of an event; undefined when it has no Event-Name. */
export function toFsEvent(event: EslEvent): FsEvent | undefined {
  const name = header(event, 'Event-Name')
  if (name === undefined) return undefined
  const body = event.getBody()
  return body === '' ? { name, headers: headersOf(event) } : { name, headers: headersOf(event), body }
}

/**
 * CallInfo from the CHANNEL_DATA of the `connect` reply (esl-protocol.md §1.2). The caller profile appears both
 * as `Caller-*` and `Channel-*`; we prefer `Caller-*`. Returns undefined when there is no Unique-ID (not a call).
 */
export function decodeCallInfo(event: EslEvent): CallInfo | undefined {
  const uuid = header(event, 'Unique-ID') ?? header(event, 'Channel-Unique-ID')
  if (uuid === undefined || uuid === '') return undefined
  const pick = (suffix: string): string =>
    header(event, `Caller-${suffix}`) ?? header(event, `Channel-${suffix}`) ?? ''
  const coreUuid = header(event, 'Core-UUID')
  return Object.freeze({
    uuid,
    ...(coreUuid === undefined ? {} : { coreUuid }),
    callerIdName: pick('Caller-ID-Name'),
    callerIdNumber: pick('Caller-ID-Number'),
    destinationNumber: pick('Destination-Number'),
    context: pick('Context') || 'default',
    variables: variablesOf(event),
  })
}
