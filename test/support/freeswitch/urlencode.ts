/**
 * FreeSWITCH's `switch_url_encode` (switch_utils.c:3494–3537, brief §0), ported byte for byte. Every header value of
 * a plain event and of the CHANNEL_DATA connect reply goes through it.
 */

const UNSAFE = new Set(Array.from('\r\n #%&+:;<=>?@[\\]^`{|}"', (c) => c.charCodeAt(0)))
const HEX = '0123456789ABCDEF'
/** FS's passthrough test uses only uppercase hex digits. */
const isUpperHex = (b: number | undefined): boolean =>
  b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46))

export interface UrlEncodeOptions {
  /**
   * Send every `%` unescaped, even when not followed by two uppercase-hex chars (e.g. `%zz`, a trailing `%`). Real
   * FS passes `%FF` through anyway (the quirk below); this switch lets tests push *any* malformed `%` sequence at
   * the daemon to prove its parser survives.
   */
  rawPercent?: boolean
}

/**
 * Encode a header value exactly as FreeSWITCH does: %-escape bytes < 0x20, > 0x7E and the unsafe set, uppercase
 * hex, UTF-8 byte-wise; a `%` already followed by two uppercase-hex chars passes through; "" → `_undef_`
 * (switch_event.c:1603).
 */
export function fsUrlEncode(value: string, opts: UrlEncodeOptions = {}): string {
  if (value === '') return '_undef_'
  // Fast path: most values (numbers, uuids, codec names) need nothing.
  if (/^[A-Za-z0-9_\-.,/*!'()$~]*$/.test(value)) return value
  const bytes = Buffer.from(value, 'utf8')
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number
    if (b === 0x25 && (opts.rawPercent === true || (isUpperHex(bytes[i + 1]) && isUpperHex(bytes[i + 2])))) {
      out += '%'
      continue
    }
    if (b < 0x20 || b > 0x7e || UNSAFE.has(b)) out += '%' + HEX[b >> 4] + HEX[b & 15]
    else out += String.fromCharCode(b)
  }
  return out
}

/**
 * The inverse used by tests and the simulator's own checks (tolerant: a malformed `%` stays literal; unlike
 * `decodeURIComponent` it never throws).
 */
export function fsUrlDecode(value: string): string {
  if (!value.includes('%')) return value
  const out: number[] = []
  const src = Buffer.from(value, 'utf8')
  for (let i = 0; i < src.length; i++) {
    const b = src[i] as number
    if (b === 0x25 && i + 2 < src.length + 0) {
      const h = Number.parseInt(String.fromCharCode(src[i + 1] ?? 0, src[i + 2] ?? 0), 16)
      if (
        !Number.isNaN(h) &&
        /^[0-9a-fA-F]{2}$/.test(String.fromCharCode(src[i + 1] ?? 0, src[i + 2] ?? 0))
      ) {
        out.push(h)
        i += 2
        continue
      }
    }
    out.push(b)
  }
  return Buffer.from(out).toString('utf8')
}
