/**
 * Formatting and sanitising of the values that go into mails. Pure functions: no clock, no config.
 */

/** Control characters (C0, DEL, C1) and the Unicode line/paragraph separators: none may reach a header. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/gu

/**
 * Make caller-supplied text safe for a one-line header value: control characters (CR, LF, TAB, NUL …) become a
 * space, runs of whitespace collapse, and the result is cut to `max` characters (by code point, so an emoji is
 * never split). nodemailer then encodes non-ASCII as RFC 2047 words, so the header stays one header.
 */
export function sanitizeLine(value: string, max = 100): string {
  const flat = value.replace(CONTROL, ' ').replace(/\s+/gu, ' ').trim()
  const chars = Array.from(flat)
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** Formatters per zone: building an Intl.DateTimeFormat costs far more than using one (BENCHMARKS.md). */
const formatters = new Map<string, { long: Intl.DateTimeFormat; num: Intl.DateTimeFormat } | null>()

/** The two formatters of a zone, or null when Intl does not know the zone. */
function formattersOf(zone: string): { long: Intl.DateTimeFormat; num: Intl.DateTimeFormat } | null {
  let cached = formatters.get(zone)
  if (cached !== undefined) return cached
  try {
    cached = {
      long: new Intl.DateTimeFormat('en-GB', {
        weekday: 'long',
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        timeZone: zone,
      }),
      num: new Intl.DateTimeFormat('en-GB', {
        month: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZone: zone,
      }),
    }
  } catch {
    cached = null
  }
  // Zones come from validated config and the database: a handful of distinct values.
  formatters.set(zone, cached)
  return cached
}

/** A zone Intl accepts, else UTC (a bad zone in the database must not stop a mail). */
export function validTimezone(zone: string | undefined): string {
  if (zone === undefined || zone === '') return 'UTC'
  return formattersOf(zone) === null ? 'UTC' : zone
}

interface DateParts {
  weekday: string
  day: string
  month: string
  monthNumber: string
  year: string
  hour: string
  minute: string
}

function parts(ms: number, zone: string): DateParts {
  const format = formattersOf(validTimezone(zone)) ?? formattersOf('UTC')
  const get = (formatter: Intl.DateTimeFormat | undefined): Map<string, string> =>
    new Map((formatter?.formatToParts(new Date(ms)) ?? []).map((p) => [p.type, p.value]))
  const long = get(format?.long)
  const num = get(format?.num)
  return {
    weekday: long.get('weekday') ?? '',
    day: long.get('day') ?? '',
    month: long.get('month') ?? '',
    year: long.get('year') ?? '',
    monthNumber: num.get('month') ?? '',
    hour: num.get('hour') ?? '',
    minute: num.get('minute') ?? '',
  }
}

/**
 * "Thursday, 26 November 2026 11:47" in `zone`. Built from `formatToParts` rather than a locale's whole pattern,
 * so the text does not change with the ICU version Node ships.
 */
export function formatDateTime(ms: number, zone: string): string {
  const p = parts(ms, zone)
  return `${p.weekday}, ${p.day} ${p.month} ${p.year} ${p.hour}:${p.minute}`
}

/** "2026-11-26-1147" in `zone`, for file names. */
export function fileStamp(ms: number, zone: string): string {
  const p = parts(ms, zone)
  return `${p.year}-${p.monthNumber}-${p.day.padStart(2, '0')}-${p.hour}${p.minute}`
}

/** "1 min 05 s", "42 s", "0 s": rounded to the second. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000))
  const minutes = Math.floor(total / 60)
  const seconds = total % 60
  return minutes === 0 ? `${seconds} s` : `${minutes} min ${String(seconds).padStart(2, '0')} s`
}

/** "9.8 MB" (MiB, one decimal). */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

/**
 * `voicemail-100-2026-11-26-1147-from-1001.wav`: only `[A-Za-z0-9+-]` from caller data, so no client can be
 * tricked by quotes, slashes or `../` in a caller number.
 */
export function attachmentName(
  mailboxId: string,
  receivedAt: number,
  zone: string,
  callerNumber: string,
): string {
  const box = mailboxId.replace(/[^0-9]/g, '').slice(0, 10) || 'box'
  const from = callerNumber.replace(/[^A-Za-z0-9+]/g, '').slice(0, 32) || 'unknown'
  return `voicemail-${box}-${fileStamp(receivedAt, zone)}-from-${from}.wav`
}
