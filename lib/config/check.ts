import type { ConfigIssue, PathSegment } from './errors.js'

/** A value test: returns why the value is wrong (`must be …`), or undefined when it is fine. */
export type Test = (value: string) => string | undefined

/**
 * Collects problems while the parser walks the document, so one run reports every mistake instead of the first.
 * Every reader returns a usable value (the default) after reporting, so the walk always goes on.
 */
export class Checker {
  readonly issues: ConfigIssue[] = []

  problem(path: readonly PathSegment[], message: string): void {
    this.issues.push({ path, message })
  }

  /**
   * The mapping at `path`. `undefined` and `null` (an empty `key:` in YAML) are an empty mapping; anything else
   * that is not a mapping is reported and read as empty. With `known`, other keys are reported as unknown.
   */
  section(value: unknown, path: readonly PathSegment[], known?: readonly string[]): Section {
    if (value === undefined || value === null) return new Section(this, path, {})
    if (!isMapping(value)) {
      const subject = path.length === 0 ? 'the configuration ' : ''
      this.problem(path, `${subject}must be a mapping of keys (got ${describe(value)})`)
      return new Section(this, path, {})
    }
    if (known !== undefined) {
      for (const key of Object.keys(value)) {
        if (!known.includes(key)) this.problem([...path, key], unknownKey(key, known))
      }
    }
    return new Section(this, path, value)
  }
}

/** Typed readers over one mapping of the document. A key set to null counts as absent. */
export class Section {
  constructor(
    readonly checker: Checker,
    readonly path: readonly PathSegment[],
    readonly data: Readonly<Record<string, unknown>>,
  ) {}

  /** The raw value of `key`, undefined when absent or null. */
  get(key: string): unknown {
    const value = this.data[key]
    return value === null ? undefined : value
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  at(key: string): PathSegment[] {
    return [...this.path, key]
  }

  child(key: string, known?: readonly string[]): Section {
    return this.checker.section(this.get(key), this.at(key), known)
  }

  int(key: string, min: number, max: number, fallback: number): number {
    const value = this.get(key)
    if (value === undefined) return fallback
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.checker.problem(this.at(key), `must be an integer ${min}-${max} (got ${describe(value)})`)
      return fallback
    }
    return value
  }

  bool(key: string, fallback: boolean): boolean {
    return this.optBool(key) ?? fallback
  }

  optBool(key: string): boolean | undefined {
    const value = this.get(key)
    if (value === undefined || typeof value === 'boolean') return value
    this.checker.problem(this.at(key), `must be true or false (got ${describe(value)})`)
    return undefined
  }

  str(key: string, fallback: string, test?: Test, secret = false): string {
    return this.optStr(key, test, secret) ?? fallback
  }

  /**
   * A string that passes `test`; numbers are refused with a hint to quote them (YAML drops leading zeros).
   * A `secret` value (PIN, password) is never echoed in the problem, which ends up in the journal.
   */
  optStr(key: string, test?: Test, secret = false): string | undefined {
    return checkString(this.checker, this.at(key), this.get(key), test, secret)
  }

  oneOf<T extends string>(key: string, values: readonly T[], fallback: T): T {
    const value = this.get(key)
    if (value === undefined) return fallback
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T
    this.checker.problem(this.at(key), `must be one of ${values.join(', ')} (got ${describe(value)})`)
    return fallback
  }

  /** A list of strings each passing `test`; a single string is read as a list of one. */
  optStrings(key: string, test?: Test): string[] | undefined {
    const value = this.get(key)
    if (value === undefined) return undefined
    if (typeof value === 'string') {
      const one = checkString(this.checker, this.at(key), value, test)
      return one === undefined ? [] : [one]
    }
    if (!Array.isArray(value)) {
      this.checker.problem(this.at(key), `must be a list of strings (got ${describe(value)})`)
      return undefined
    }
    const out: string[] = []
    value.forEach((item: unknown, i) => {
      const one = checkString(this.checker, [...this.at(key), i], item, test)
      if (one !== undefined) out.push(one)
    })
    return out
  }

  /** The list at `key` (empty when absent); a non-list is reported. */
  list(key: string): unknown[] {
    const value = this.get(key)
    if (value === undefined) return []
    if (Array.isArray(value)) return value as unknown[]
    this.checker.problem(this.at(key), `must be a list (got ${describe(value)})`)
    return []
  }
}

function checkString(
  checker: Checker,
  path: readonly PathSegment[],
  value: unknown,
  test: Test | undefined,
  secret = false,
): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'number' || typeof value === 'boolean') {
    const hint = secret ? `a ${typeof value}; quote it` : `${describe(value)}; write "${String(value)}"`
    checker.problem(path, `must be a quoted string (got ${hint})`)
    return undefined
  }
  if (typeof value !== 'string') {
    checker.problem(path, `must be a string (got ${describe(value)})`)
    return undefined
  }
  const why = test?.(value)
  if (why !== undefined) {
    checker.problem(path, secret ? why : `${why} (got ${describe(value)})`)
    return undefined
  }
  return value
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A short, safe rendering of a wrong value for a problem line. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value)
    return quoted.length > 42 ? `${quoted.slice(0, 38)}..."` : quoted
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value)
  return typeof value
}

/** `unknown key (did you mean "host"?)`: suggests a known key that is close (typo, case, snake_case). */
export function unknownKey(key: string, known: readonly string[]): string {
  const suggestion = closest(key, known)
  return suggestion === undefined ? 'unknown key' : `unknown key (did you mean "${suggestion}"?)`
}

function closest(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[-_]/g, '')
  const exact = known.find((k) => norm(k) === norm(key))
  if (exact !== undefined) return exact
  let best: string | undefined
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1
  for (const candidate of known) {
    const d = distance(norm(key), norm(candidate))
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** Edit distance counting a swap of neighbours as one edit (`hots` → `host`); keys are short, so O(n·m) is fine. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? []
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(at(i, j), at(i - 2, j - 2) + 1)
      }
    }
  }
  return at(a.length, b.length)
}
