/**
 * Parses what the daemon writes to FreeSWITCH, the way mod_event_socket's read_packet does (mes.c:1270–1317):
 * leading `\r`/`\n` skipped, `\r` tolerated, the first line is the command, then `Name: value` lines with values
 * taken **raw** (no url-decoding), an empty line ends the frame, and `Content-Length` makes FS read that many
 * body bytes.
 */
import type { Header } from './frames.js'

export interface DaemonCommand {
  /** The command line, e.g. `sendmsg`, `api uuid_getvar …`, `event plain DTMF`. */
  readonly line: string
  /** Header lines in order, values raw. */
  readonly headers: readonly Header[]
  /** The Content-Length body, if any. */
  readonly body?: Buffer
  /** The exact bytes of this command (after skipped blank lines), for transcripts. */
  readonly raw: Buffer
  /** Header-block lines with no `:` (FS ignores them; usually a value that contained a newline). */
  readonly malformed?: readonly string[]
}

/** FS refuses bodies above 16 MiB (mes.c:1317). */
const MAX_BODY = 16 * 1024 * 1024

/** Incremental parser: feed chunks as they arrive, get complete commands back. */
export class CommandParser {
  private buf: Buffer = Buffer.alloc(0)

  /** Append a chunk; returns every command now complete, in order. Throws on an oversized Content-Length. */
  push(chunk: Buffer): DaemonCommand[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
    const out: DaemonCommand[] = []
    for (;;) {
      const cmd = this.next()
      if (cmd === undefined) break
      out.push(cmd)
    }
    return out
  }

  private next(): DaemonCommand | undefined {
    let start = 0
    while (start < this.buf.length && (this.buf[start] === 0x0a || this.buf[start] === 0x0d)) start++
    if (start === this.buf.length) {
      this.buf = Buffer.alloc(0)
      return undefined
    }
    // Find the end of the header block: an empty line (\n\n, tolerating \r before each \n).
    let pos = start
    let lineStart = start
    const lines: string[] = []
    for (;;) {
      const nl = this.buf.indexOf(0x0a, pos)
      if (nl < 0) {
        if (start > 0) this.buf = this.buf.subarray(start)
        return undefined
      }
      let end = nl
      if (end > lineStart && this.buf[end - 1] === 0x0d) end--
      const line = this.buf.toString('utf8', lineStart, end)
      pos = nl + 1
      lineStart = pos
      if (line === '') break
      lines.push(line)
    }
    const [first = '', ...rest] = lines
    const headers: Header[] = []
    let contentLength = 0
    const malformed: string[] = []
    for (const l of rest) {
      const colon = l.indexOf(':')
      if (colon < 0) {
        malformed.push(l)
        continue
      }
      const name = l.slice(0, colon)
      let v = colon + 1
      while (l[v] === ' ') v++
      const value = l.slice(v)
      headers.push([name, value])
      if (name.toLowerCase() === 'content-length') contentLength = Number.parseInt(value, 10) || 0
    }
    if (contentLength > MAX_BODY) throw new RangeError(`Content-Length ${contentLength} above 16 MiB`)
    if (this.buf.length < pos + contentLength) {
      if (start > 0) this.buf = this.buf.subarray(start)
      return undefined
    }
    const body = contentLength > 0 ? Buffer.from(this.buf.subarray(pos, pos + contentLength)) : undefined
    const raw = Buffer.from(this.buf.subarray(start, pos + contentLength))
    this.buf = this.buf.subarray(pos + contentLength)
    const cmd: DaemonCommand =
      body === undefined ? { line: first, headers, raw } : { line: first, headers, body, raw }
    return malformed.length > 0 ? { ...cmd, malformed } : cmd
  }
}

/** Split a command line into its word and the rest (`api status` → [`api`, `status`]). */
export function splitCommand(line: string): [word: string, rest: string] {
  const sp = line.indexOf(' ')
  return sp < 0 ? [line, ''] : [line.slice(0, sp), line.slice(sp + 1)]
}

/**
 * FS matches command words with `strncasecmp(cmd, "word", strlen("word"))` (mes.c:1743…2601): the *known* word is
 * a case-insensitive prefix of what was sent, so `EXITnow` matches `exit` and `events` matches `event`.
 */
export function matchesWord(line: string, word: string): boolean {
  return line.length >= word.length && line.slice(0, word.length).toLowerCase() === word
}
