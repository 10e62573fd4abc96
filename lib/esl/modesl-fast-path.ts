import modesl from 'modesl'

/**
 * Cheaper framing in modesl 1.2.1, installed once, process-wide, beside the parser guard. Same bytes on the wire,
 * same Events handed out; only the cost changes. Measured on the real FreeSWITCH (BENCHMARKS.md, issue 12), where
 * every channel event carries all channel variables (250+ headers):
 *
 * - `new Event(headers)` adds each header with `addHeader`, which first searches the header array for the name:
 *   building one event cost n²/2 string comparisons. Object keys are unique already, so the events of a frame are
 *   now built by appending.
 * - `getHeader` scans the header array; modesl itself asks every frame for headers it rarely has (`Job-UUID`,
 *   `Reply-Text`), and reading all variables of an event (`variablesOf`) was quadratic. A name → header index is
 *   built on the first lookup of a large event and dropped whenever modesl adds or removes a header.
 * - `send()` wrote a command line by line (`socket.write` per header): one syscall and, on our `TCP_NODELAY`
 *   sockets, one packet per line. It now writes the whole command at once.
 */

const installed = Symbol.for('voicemaild.modesl.fast-path')
const index = Symbol('voicemaild.modesl.header-index')

type HeaderValue = modesl.HeaderValue
interface Header {
  name: string
  value: HeaderValue
}
type IndexedEvent = modesl.Event & { [index]?: Map<string, Header> }
type EventProto = Omit<typeof modesl.Event.prototype, 'addHeader'> & {
  [installed]?: true
  _findHeader: (this: IndexedEvent, name: string) => Header | null
  addHeader: (this: IndexedEvent, name: string, value: HeaderValue) => HeaderValue
  delHeader: (this: IndexedEvent, name: string) => unknown
}
type ParserProto = typeof modesl.Parser.prototype & {
  _parseXmlBody(text: string): modesl.RawHeaders
}
type ConnectionProto = typeof modesl.Connection.prototype & {
  socket: { write(data: string): boolean } | null
  emit(name: string, ...args: unknown[]): boolean
}

/** Below this many headers a scan is as cheap as an index (command replies, DTMF, api responses). */
const INDEX_FROM = 16

/** An Event with exactly the headers (in order), type, subclass and body `new Event(fields, body)` gives. */
function eventFrom(fields: modesl.RawHeaders, body?: string): modesl.Event {
  const event = new modesl.Event()
  const name = fields['Event-Name']
  const subclass = fields['Event-Subclass']
  event.type = typeof name === 'string' ? name : undefined
  event.subclass = typeof subclass === 'string' ? subclass : undefined
  const own = fields._body
  event.body = body !== undefined && body !== '' ? body : typeof own === 'string' && own !== '' ? own : ''
  for (const key of Object.keys(fields)) {
    const value = fields[key]
    // modesl's constructor adds undefined values too (a JSON body has none; plain/xml bodies neither).
    if (key !== '_body') event.headers.push({ name: key, value: value as HeaderValue })
  }
  return event
}

/** Patch modesl's Event, Parser and Connection prototypes. Idempotent; called at import by `modesl-patched.ts`. */
export function installFastPath(): void {
  const eventProto = modesl.Event.prototype as EventProto
  if (eventProto[installed] === true) return
  eventProto[installed] = true

  const scan = eventProto._findHeader
  eventProto._findHeader = function (this: IndexedEvent, name: string): Header | null {
    if (this.headers.length < INDEX_FROM) return scan.call(this, name)
    let byName = this[index]
    if (byName === undefined) {
      byName = new Map()
      // First occurrence wins, as in the scan.
      for (const h of this.headers) if (!byName.has(h.name)) byName.set(h.name, h)
      this[index] = byName
    }
    return byName.get(name) ?? null
  }
  const addHeader = eventProto.addHeader
  // The original addHeader looks the name up first (which may build the index): drop the index after it.
  eventProto.addHeader = function (this: IndexedEvent, name: string, value: HeaderValue): HeaderValue {
    const result = addHeader.call(this, name, value)
    delete this[index]
    return result
  }
  const delHeader = eventProto.delHeader
  eventProto.delHeader = function (this: IndexedEvent, name: string): unknown {
    const result = delHeader.call(this, name)
    delete this[index]
    return result
  }

  // Parser.js `_parseEvent`, the same steps with `eventFrom` instead of `new Event`.
  const parserProto = modesl.Parser.prototype as ParserProto
  parserProto._parseEvent = function (this: ParserProto, headers: modesl.RawHeaders, body?: string): void {
    let data: modesl.RawHeaders | undefined
    const type = headers['Content-Type']
    if (type === 'text/event-json') {
      try {
        data = JSON.parse(body ?? '') as modesl.RawHeaders
        const length = data['Content-Length']
        if (length) data['Content-Length'] = Number.parseInt(String(length), 10)
      } catch (err) {
        this.emit('error', err)
      }
    } else if (type === 'text/event-plain') {
      data = this._parsePlainBody(body ?? '')
    } else if (type === 'text/event-xml') {
      data = this._parseXmlBody(body ?? '')
    }
    const event = data ? eventFrom(data) : eventFrom(headers, body)
    const reply = event.getHeader('Reply-Text')
    if (typeof reply === 'string' && reply !== '') {
      if (reply.indexOf('-ERR') === 0) event.addHeader('Modesl-Reply-ERR', reply.substring(5))
      else if (reply.indexOf('+OK') === 0) event.addHeader('Modesl-Reply-OK', reply.substring(4))
    }
    this.emit('esl::event', event, headers, body)
  }

  // Connection.js `send`: the same bytes in one write.
  const connectionProto = modesl.Connection.prototype as ConnectionProto
  connectionProto.send = function (
    this: ConnectionProto,
    command: string,
    args?: Record<string, string> | null,
  ): void {
    let frame = `${command}\n`
    if (args) for (const key of Object.keys(args)) frame += `${key}: ${args[key]}\n`
    const socket = this.socket
    // modesl nulls the socket on `end`; its own write then threw a TypeError, which it emitted as `error`.
    if (socket === null) {
      this.emit('error', new TypeError('write on an ended Event Socket connection'))
      return
    }
    try {
      socket.write(`${frame}\n`)
    } catch (err) {
      this.emit('error', err)
    }
  }
}
