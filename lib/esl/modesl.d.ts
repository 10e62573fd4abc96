/**
 * Hand-written typings for the parts of modesl 1.2.1 (the published JS, not the unpublished v2 rewrite on GitHub)
 * that `lib/esl/` uses. There are no typings anywhere (`@types/modesl` does not exist). Only `lib/esl/` may import
 * this module; everything else sees `Call` / `FreeswitchLink`. See docs/event-socket.md and esl-protocol.md §5.
 */
declare module 'modesl' {
  import type { Socket } from 'node:net'

  namespace modesl {
    /** Header values are strings; JSON events keep array headers as arrays; Content-Length becomes a number. */
    type HeaderValue = string | string[] | number

    /** Raw outer headers of a frame as the Parser produced them (`Content-Type`, `Reply-Text`, …). */
    type RawHeaders = Record<string, HeaderValue | undefined>

    class Event {
      constructor(headers: RawHeaders, body?: string)
      /** No arguments: an empty event (type '', no headers, empty body). */
      constructor()
      headers: { name: string; value: HeaderValue }[]
      type: string | undefined
      subclass: string | null | undefined
      body: string
      getHeader(name: string): HeaderValue | null
      getBody(): string
      addHeader(name: string, value: HeaderValue): HeaderValue
    }

    type EventListener = (this: { event: string }, event: Event, headers?: RawHeaders, body?: string) => void

    /**
     * One Event Socket connection. `new Connection(host, port, password)` is inbound (it dials FreeSWITCH and
     * answers `auth/request` itself); `new Connection(socket)` is outbound (it writes `connect` at once).
     */
    class Connection {
      constructor(host: string, port: number, password: string, onReady?: () => void)
      constructor(socket: Socket, onReady?: () => void)
      /** Nulled by modesl on the socket's `end` (never on error/reset: bug 4). */
      socket: Socket | null
      /** FIFO of command/reply callbacks, popped by every command/reply (bug 1). */
      cmdCallbackQueue: (((event: Event) => void) | undefined)[]
      apiCallbackQueue: (((event: Event) => void) | undefined)[]
      /** The CHANNEL_DATA of an outbound connection (null until the `connect` reply). */
      getInfo(): Event | null
      /** Writes `command\n` + `k: v\n`… + `\n`, raw (no encoding, no newline check), and queues `cb`. */
      sendRecv(command: string, args: Record<string, string> | null, cb?: (event: Event) => void): void
      sendRecv(command: string, cb?: (event: Event) => void): void
      /** Writes `command\n` + `k: v\n`… + `\n` without waiting for a reply (patched: `modesl-fast-path.ts`). */
      send(command: string, args?: Record<string, string> | null): void
      /** Writes `api <command>` and queues `cb` on the api/response FIFO. */
      api(command: string, cb: (event: Event) => void): void
      on(name: string, listener: EventListener): this
      on(name: 'error', listener: (err: Error) => void): this
      once(name: string, listener: (...args: unknown[]) => void): this
      removeAllListeners(name?: string): this
    }

    /** The frame parser every Connection creates over its socket (patched by `parser-guard.ts`). */
    class Parser {
      constructor(socket: Socket)
      buffer: Buffer
      bodyLen: number
      headers: RawHeaders
      socket: Socket
      _onData(data: Buffer): void
      _indexOfHeaderEnd(): number
      _parseHeaders(): void
      _parseBody(): void
      _parseHeaderText(text: string): RawHeaders
      _parsePlainBody(text: string): RawHeaders
      _parseEvent(headers: RawHeaders, body?: string): void
      emit(name: string, ...args: unknown[]): boolean
    }
  }

  const modesl: {
    Connection: typeof modesl.Connection
    Parser: typeof modesl.Parser
    Event: typeof modesl.Event
  }

  export = modesl
}
