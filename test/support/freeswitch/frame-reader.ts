/**
 * Reading FS→client frames on the daemon side, for the simulator's own tests and fixture checks: outer headers
 * up to the empty line, then a Content-Length body (bytes). Plain event bodies are split into decoded headers.
 */
import type { Header } from './frames.js'
import { fsUrlDecode } from './urlencode.js'

export interface FsFrame {
  /** Outer headers, values raw. */
  readonly headers: Header[]
  readonly body: Buffer
  /** The exact bytes of the frame. */
  readonly raw: Buffer
}

/** Incremental byte-level reader (like modesl's Parser, but iterative). */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): FsFrame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
    const out: FsFrame[] = []
    for (;;) {
      const end = this.buf.indexOf('\n\n')
      if (end < 0) break
      const head = this.buf.toString('utf8', 0, end)
      const headers: Header[] = head.split('\n').map((l) => {
        const c = l.indexOf(': ')
        return c < 0 ? ([l, ''] as const) : ([l.slice(0, c), l.slice(c + 2)] as const)
      })
      const cl = headers.find(([k]) => k === 'Content-Length')
      const len = cl === undefined ? 0 : Number(cl[1])
      if (this.buf.length < end + 2 + len) break
      const body = Buffer.from(this.buf.subarray(end + 2, end + 2 + len))
      const raw = Buffer.from(this.buf.subarray(0, end + 2 + len))
      this.buf = this.buf.subarray(end + 2 + len)
      out.push({ headers, body, raw })
    }
    return out
  }
}

/** First value of a header (exact name). */
export function get(headers: readonly Header[], name: string): string | undefined {
  return headers.find(([k]) => k === name)?.[1]
}

/** Parse a text/event-plain body into url-decoded headers (and its own body, if any). */
export function parsePlainEvent(body: Buffer): { headers: Header[]; body: string } {
  const s = body.toString('utf8')
  const end = s.indexOf('\n\n')
  const head = end < 0 ? s : s.slice(0, end)
  const headers: Header[] = head
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const c = l.indexOf(': ')
      return [l.slice(0, c), fsUrlDecode(l.slice(c + 2))] as const
    })
  return { headers, body: end < 0 ? '' : s.slice(end + 2) }
}

/** Parse a text/event-json body into headers (arrays joined) and `_body`. */
export function parseJsonEvent(body: Buffer): { headers: Header[]; body: string } {
  const o = JSON.parse(body.toString('utf8')) as Record<string, string | string[]>
  const headers: Header[] = []
  let b = ''
  for (const [k, v] of Object.entries(o)) {
    if (k === '_body') b = String(v)
    else headers.push([k, Array.isArray(v) ? v.join('|') : v])
  }
  return { headers, body: b }
}
