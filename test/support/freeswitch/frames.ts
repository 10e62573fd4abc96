/**
 * Serialising the frames FreeSWITCH writes on an event socket, with exactly the header order of brief §0:
 * command/reply (no body), api/response (Content-Type first), events (Content-Length first), disconnect notices.
 * Frames are Buffers: every length is a byte count (checklist 2).
 */
import { fsUrlEncode, type UrlEncodeOptions } from './urlencode.js'

/** One header, in order; duplicate names are allowed, as in FS events. */
export type Header = readonly [name: string, value: string]

/** An FS event: ordered headers plus an optional body (BACKGROUND_JOB output, …). */
export interface FsEvent {
  readonly headers: readonly Header[]
  readonly body?: string
}

export type EventFormat = 'plain' | 'json'

/** First value of a header, case-insensitive like FS's `switch_event_get_header` (ev.c:837–840). */
export function headerOf(headers: readonly Header[], name: string): string | undefined {
  const lower = name.toLowerCase()
  for (const [k, v] of headers) if (k.toLowerCase() === lower) return v
  return undefined
}

/** `Name: urlencode(value)\n` lines: the plain serialization of ev.c:1528–1640 (without the trailing part). */
export function plainHeaderLines(headers: readonly Header[], enc: UrlEncodeOptions = {}): string {
  let s = ''
  for (const [k, v] of headers) s += `${k}: ${fsUrlEncode(v, enc)}\n`
  return s
}

/** The inner text of a plain event: headers, then `Content-Length: n\n\n<body>` or a lone `\n`. */
export function serializePlain(ev: FsEvent, enc: UrlEncodeOptions = {}): Buffer {
  let s = plainHeaderLines(ev.headers, enc)
  if (ev.body !== undefined && ev.body !== '') {
    s += `Content-Length: ${Buffer.byteLength(ev.body)}\n\n${ev.body}`
  } else s += '\n'
  return Buffer.from(s, 'utf8')
}

/**
 * cJSON_PrintUnformatted of the event (ev.c:1819–1866): raw UTF-8 strings, no trailing newline; with a body FS
 * adds `"Content-Length":"<n>"` (a string) and `"_body"`. Built by hand so duplicate header names survive.
 */
export function serializeJson(ev: FsEvent): Buffer {
  const parts: string[] = []
  for (const [k, v] of ev.headers) parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`)
  if (ev.body !== undefined && ev.body !== '') {
    parts.push(`"Content-Length":"${Buffer.byteLength(ev.body)}"`, `"_body":${JSON.stringify(ev.body)}`)
  }
  return Buffer.from(`{${parts.join(',')}}`, 'utf8')
}

/** An event frame as the listener writes it (mes.c:1449): Content-Length comes **before** Content-Type. */
export function eventFrame(ev: FsEvent, format: EventFormat, enc: UrlEncodeOptions = {}): Buffer {
  const inner = format === 'json' ? serializeJson(ev) : serializePlain(ev, enc)
  const head = `Content-Length: ${inner.length}\nContent-Type: text/event-${format}\n\n`
  return Buffer.concat([Buffer.from(head), inner])
}

/** `Content-Type: command/reply\nReply-Text: …\n` + extra headers (bgapi's Job-UUID) + `\n`. No body ever. */
export function commandReply(text: string, extra: readonly Header[] = []): Buffer {
  let s = `Content-Type: command/reply\nReply-Text: ${text}\n`
  for (const [k, v] of extra) s += `${k}: ${v}\n`
  return Buffer.from(s + '\n')
}

/** `Content-Type: api/response\nContent-Length: N\n\n<body>`: Content-Type first (mes.c:1599). */
export function apiResponse(body: string): Buffer {
  const b = Buffer.from(body, 'utf8')
  return Buffer.concat([Buffer.from(`Content-Type: api/response\nContent-Length: ${b.length}\n\n`), b])
}

export function authRequest(): Buffer {
  return Buffer.from('Content-Type: auth/request\n\n')
}

/** The 67-byte goodbye text of mes.c:636–659. */
export const DISCONNECT_TEXT = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n'

/** Outbound `disconnect` notice (exit, or channel down without linger); mes.c:636–659, brief §1.5. */
export function disconnectNotice(sessionUuid: string): Buffer {
  return Buffer.from(
    `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${sessionUuid}\n` +
      `Content-Disposition: disconnect\nContent-Length: ${DISCONNECT_TEXT.length}\n\n${DISCONNECT_TEXT}`,
  )
}

/** Inbound disconnect notice: no Controlled-Session-UUID / Content-Disposition (mes.c:648). */
export function inboundDisconnectNotice(text = DISCONNECT_TEXT): Buffer {
  const b = Buffer.from(text)
  return Buffer.concat([
    Buffer.from(`Content-Type: text/disconnect-notice\nContent-Length: ${b.length}\n\n`),
    b,
  ])
}

/** The linger notice (mes.c:1473–1499): `Linger-Time` -1 means forever; `Content-Length: 0`. */
export function lingerNotice(sessionUuid: string, channelName: string, lingerTime: number): Buffer {
  return Buffer.from(
    `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${sessionUuid}\n` +
      `Content-Disposition: linger\nChannel-Name: ${channelName}\nLinger-Time: ${lingerTime}\n` +
      `Content-Length: 0\n\n`,
  )
}

/**
 * The `connect` reply: CHANNEL_DATA serialized as the *headers* of a command/reply, with no Content-Length
 * (mes.c:2023–2046). Every header, including Reply-Text `%2BOK%0A`, is url-encoded.
 */
export function connectReply(
  channelData: readonly Header[],
  socketMode: 'async' | 'static',
  control: 'full' | 'single-channel',
  enc: UrlEncodeOptions = {},
): Buffer {
  const tail: Header[] = [
    ['Content-Type', 'command/reply'],
    ['Reply-Text', '+OK\n'],
    ['Socket-Mode', socketMode],
    ['Control', control],
  ]
  return Buffer.from(plainHeaderLines(channelData, enc) + plainHeaderLines(tail) + '\n', 'utf8')
}
