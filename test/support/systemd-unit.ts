/**
 * Reads a systemd unit file into sections of key → values (a key may repeat, e.g. `LoadCredential=`), following
 * systemd.syntax(7): `#` and `;` comment lines, `[Section]` headers, `Key=Value` with whitespace around `=`
 * ignored, and a trailing backslash continuing a line. Anything else throws, naming the line.
 */
export type UnitFile = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>

export function parseUnit(source: string): UnitFile {
  const sections = new Map<string, Map<string, string[]>>()
  let current: Map<string, string[]> | undefined
  const lines = source.split('\n')
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').trim()
    const lineNo = i + 1
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++
      line = `${line.slice(0, -1)} ${(lines[i] ?? '').trim()}`
    }
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const header = /^\[([^\]]+)\]$/.exec(line)
    if (header?.[1] !== undefined) {
      if (sections.has(header[1])) throw new Error(`line ${lineNo}: section [${header[1]}] repeated`)
      current = new Map()
      sections.set(header[1], current)
      continue
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*)$/.exec(line)
    if (kv?.[1] === undefined || kv[2] === undefined)
      throw new Error(`line ${lineNo}: not Key=Value: ${line}`)
    if (current === undefined) throw new Error(`line ${lineNo}: key outside a section`)
    const values = current.get(kv[1]) ?? []
    values.push(kv[2])
    current.set(kv[1], values)
  }
  return sections
}

/** The values of `key` in `section` (empty when absent). */
export function values(unit: UnitFile, section: string, key: string): readonly string[] {
  return unit.get(section)?.get(key) ?? []
}

/** The single value of `key`; throws when it is absent or repeated, so a test fails on ambiguity. */
export function single(unit: UnitFile, section: string, key: string): string {
  const all = values(unit, section, key)
  if (all.length !== 1 || all[0] === undefined) throw new Error(`[${section}] ${key}: ${all.length} values`)
  return all[0]
}
