/**
 * URL-decoding that never throws. FreeSWITCH url-encodes plain header values (esl-protocol.md §0) but passes a `%`
 * already followed by two uppercase hex digits through unescaped, so a caller-id name such as `100%FF` reaches us
 * as a malformed sequence. `decodeURIComponent` would throw a URIError (inside modesl's socket `data` handler:
 * a process crash, §5 bug 6). Here every well-formed UTF-8 `%XX` sequence is decoded and anything else is kept
 * literally, byte for byte as it arrived.
 *
 * @packageDocumentation
 */

const escapedRun = /(?:%[0-9A-Fa-f]{2})+/g

/** Decode `%XX` escapes; malformed or non-UTF-8 sequences stay as they are. Never throws. */
export function safeDecode(value: string): string {
  if (!value.includes('%')) return value
  try {
    return decodeURIComponent(value)
  } catch {
    return value.replace(escapedRun, decodeRun)
  }
}

/** Decode a run of `%XX` tokens one UTF-8 character at a time, keeping the tokens that do not form one. */
function decodeRun(run: string): string {
  try {
    return decodeURIComponent(run)
  } catch {
    // fall through to the slow path
  }
  const tokens = run.match(/%[0-9A-Fa-f]{2}/g) ?? []
  let out = ''
  let i = 0
  while (i < tokens.length) {
    const first = parseInt((tokens[i] ?? '%00').slice(1), 16)
    const width =
      first < 0x80 ? 1 : first >= 0xf0 && first <= 0xf7 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 0
    const piece = width > 0 ? tokens.slice(i, i + width).join('') : ''
    let decoded: string | undefined
    if (width > 0 && i + width <= tokens.length) {
      try {
        decoded = decodeURIComponent(piece)
      } catch {
        decoded = undefined
      }
    }
    if (decoded === undefined) {
      out += tokens[i] ?? ''
      i += 1
    } else {
      out += decoded
      i += width
    }
  }
  return out
}
