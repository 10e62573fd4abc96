/** Where voicemailctl writes: stdout for results, stderr for notes and errors. */
export interface TextSink {
  write(text: string): unknown
}

/**
 * Results as a table/text for people or one JSON document for scripts (`--json`). In JSON mode stdout carries
 * exactly one document per command (`{ "ok": true, ... }` or `{ "ok": false, "error": ... }`) and notes go into
 * it instead of onto stderr, so `voicemailctl --json … | jq` always parses.
 */
export class Output {
  private readonly notes: string[] = []
  private written = false

  constructor(
    readonly json: boolean,
    private readonly stdout: TextSink,
    private readonly stderr: TextSink,
  ) {}

  /** The command's result: `data` in JSON mode, `text()` otherwise. */
  result(data: Record<string, unknown>, text: () => string): void {
    this.written = true
    if (this.json) {
      const doc: Record<string, unknown> = { ok: true, ...data }
      if (this.notes.length > 0) doc.notes = [...this.notes]
      this.stdout.write(`${JSON.stringify(doc, null, 2)}\n`)
    } else {
      const body = text()
      if (body !== '') this.stdout.write(body.endsWith('\n') ? body : `${body}\n`)
    }
  }

  /** A remark for the operator (a warning that does not fail the command). */
  note(text: string): void {
    if (this.json) this.notes.push(text)
    else this.stderr.write(`note: ${text}\n`)
  }

  /** The failure report. In JSON mode a document on stdout (unless a result was already written). */
  error(code: string, message: string, details: readonly string[]): void {
    if (this.json && !this.written) {
      const error: Record<string, unknown> = { code, message }
      if (details.length > 0) error.details = details
      const doc: Record<string, unknown> = { ok: false, error }
      if (this.notes.length > 0) doc.notes = [...this.notes]
      this.stdout.write(`${JSON.stringify(doc, null, 2)}\n`)
      return
    }
    this.stderr.write(`voicemailctl: ${message}\n${details.map((d) => `  ${d}\n`).join('')}`)
  }

  /** Plain help text (always text, even with --json). */
  help(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  }
}

/** A left-aligned text table; cells are sanitised (a caller-ID name with a newline must not break the table). */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  const cells = [headers.map(String), ...rows.map((r) => r.map(cell))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  return cells
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** `key: value` lines, aligned. */
export function fields(pairs: ReadonlyArray<readonly [string, unknown]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length))
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${cell(v)}`).join('\n')
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '-'
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cell).join(', ')
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
        ? String(value)
        : JSON.stringify(value)
  // Control characters (CR, LF, ESC) from caller data are shown escaped, never interpreted by the terminal.
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** An epoch-ms time as `YYYY-MM-DD HH:MM:SS` in `timezone` (falls back to UTC for an unknown zone). */
export function formatTime(ms: number | undefined, timezone = 'UTC'): string {
  if (ms === undefined) return '-'
  const options: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }
  let parts: Intl.DateTimeFormatPart[]
  try {
    parts = new Intl.DateTimeFormat('en-CA', { ...options, timeZone: timezone }).formatToParts(ms)
  } catch {
    parts = new Intl.DateTimeFormat('en-CA', { ...options, timeZone: 'UTC' }).formatToParts(ms)
  }
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '??'
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`
}

/** Bytes as `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
