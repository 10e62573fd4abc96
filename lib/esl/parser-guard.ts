import modesl from 'modesl'
import { safeDecode } from './safe-decode.js'

/**
 * Hardening of modesl 1.2.1's frame parser (`lib/esl/Parser.js`), installed once, process-wide, the first time
 * `lib/esl/` is imported. Every Connection builds its Parser from this prototype, so one patch covers all of
 * them. What it fixes (esl-protocol.md §5):
 *
 * - bug 6: `_parseHeaderText` ran `decodeURIComponent` on every header; a raw `%FF` threw a URIError inside the
 *   socket `data` handler and crashed the process. Now `safeDecode` keeps malformed sequences literally.
 * - A `Content-Length` that is not a plain non-negative integer (or is absurdly large) made the parser lose the
 *   frame boundary; it is now a FrameError.
 * - Nothing bounded what one connection could buffer before its first complete frame: a peer sending a 2 MB
 *   header block (or no blank line at all) grew the buffer forever and the byte-by-byte JS scan for `\n\n` made
 *   every chunk O(n): we scan natively and refuse a header block over `maxHeaderBytes`.
 * - Any exception while parsing (including one thrown by a listener further up) used to escape from the socket
 *   `data` handler. Now it is caught: the parser emits `error` (modesl forwards it as the Connection's `error`)
 *   and destroys that one socket. Other connections are untouched.
 */

/** A peer sent bytes that are not a valid ESL frame; only its connection is closed. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FrameError'
  }
}

/** The largest header block we accept (the CHANNEL_DATA connect reply is a few KB; 1 MiB is generous). */
export const maxHeaderBytes = 1024 * 1024
/** The largest body we accept (FreeSWITCH itself caps command bodies at 16 MiB; events are far smaller). */
export const maxBodyBytes = 16 * 1024 * 1024

const installed = Symbol.for('voicemaild.modesl.parser-guard')

type ParserProto = typeof modesl.Parser.prototype & { [installed]?: true }

/** Patch modesl's Parser prototype. Idempotent; called at import by `modesl-patched.ts`. */
export function installParserGuard(): void {
  const proto = modesl.Parser.prototype as ParserProto
  if (proto[installed] === true) return
  proto[installed] = true

  proto._indexOfHeaderEnd = function (this: modesl.Parser): number {
    return this.buffer.indexOf('\n\n')
  }

  proto._parseHeaderText = function (text: string): modesl.RawHeaders {
    const headers: modesl.RawHeaders = {}
    for (const line of text.split('\n')) {
      const cut = line.indexOf(': ')
      // modesl keeps a line without ': ' as a key with an empty value; so do we (FS never sends one).
      const key = cut === -1 ? line : line.slice(0, cut)
      const value = cut === -1 ? '' : safeDecode(line.slice(cut + 2))
      if (key === 'Content-Length') {
        if (!/^\d{1,9}$/.test(value) || Number(value) > maxBodyBytes) {
          throw new FrameError('invalid Content-Length')
        }
        headers[key] = Number(value)
      } else {
        headers[key] = value
      }
    }
    return headers
  }

  proto._onData = function (this: modesl.Parser, data: Buffer): void {
    try {
      this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data])
      if (this.bodyLen > 0) {
        this._parseBody()
        return
      }
      if (this.buffer.length > maxHeaderBytes && this.buffer.indexOf('\n\n') === -1) {
        throw new FrameError('header block too large')
      }
      this._parseHeaders()
    } catch (err) {
      this.buffer = Buffer.alloc(0)
      this.bodyLen = 0
      this.socket.destroy()
      this.emit('error', err)
    }
  }
}
