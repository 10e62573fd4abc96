/**
 * A model of FreeSWITCH's XML dialplan hunt (mod_dialplan_xml.c `parse_exten` / `dialplan_hunt`), enough to run
 * our shipped extensions in tests: extensions in order, `continue="true"`, conditions with `field`/`expression`
 * or time attributes (`wday`, `hour`, `minute`, `minute-of-day`, `mon`, `mday`), `break`
 * (on-false default, on-true, always, never), anti-actions, `$1` substitution and `inline="true"` sets. Regexes
 * run as JavaScript RegExp: our patterns stay in the subset PCRE and JavaScript agree on.
 * Anything else (nested conditions, other time attributes, `regex="all"`) throws, so a test never passes on
 * something the model silently ignores.
 */
import type { XmlElement } from './xml.js'

export interface Action {
  readonly app: string
  readonly data: string
}

/** Local wall-clock time as FreeSWITCH's time conditions see it. `wday`: 1 = Sunday … 7 = Saturday. */
export interface WallClock {
  mon: number
  mday: number
  wday: number
  hour: number
  minute: number
}

export interface HuntResult {
  /** Names of the extensions whose actions were collected, in order. */
  readonly matched: string[]
  /** Actions queued for execution (inline ones already ran and are not listed). */
  readonly actions: Action[]
}

const TIME_ATTRS = ['wday', 'hour', 'minute', 'minute-of-day', 'mon', 'mday'] as const
const UNSUPPORTED_ATTRS = [
  'year',
  'yday',
  'week',
  'mweek',
  'time-of-day',
  'date-time',
  'tz-offset',
  'dst',
  'regex',
]

/** FreeSWITCH's `switch_number_cmp`: comma list of numbers or ranges; a reversed range wraps around. */
export function numberCmp(expression: string, value: number): boolean {
  return expression.split(',').some((part) => {
    const [a, b] = part.split('-').map((s) => Number.parseInt(s, 10))
    if (a === undefined || Number.isNaN(a)) throw new Error(`bad number list "${expression}"`)
    if (b === undefined) return a === value
    return a <= b ? value >= a && value <= b : value >= a || value <= b
  })
}

/**
 * Expands `${var}` from `vars` (unset → empty) and the `cond` API the way FreeSWITCH does, innermost first.
 * `$${name}` is a preprocessor variable, substituted when FreeSWITCH loads the file: it stays literal here.
 */
export function expand(data: string, vars: ReadonlyMap<string, string>): string {
  let out = data
  for (;;) {
    const next = out.replace(
      /(?<!\$)\$\{([\w-]+)(?:\(([^${}]*)\))?\}/,
      (_m, name: string, arg: string | undefined) => {
        if (arg === undefined) return vars.get(name) ?? ''
        if (name === 'cond') return cond(arg)
        throw new Error(`API ${name}() not modelled`)
      },
    )
    if (next === out) return out
    out = next
  }
}

/** mod_commands `cond`: `A OP B ? TRUE:FALSE`, quoted operands compare as strings. Errors yield `-ERR`. */
function cond(expression: string): string {
  const m = /^('(?:[^'\\]|\\.)*'|\S+)\s+(==|!=)\s+('(?:[^'\\]|\\.)*'|\S+)\s+\?([^:]*)(?::(.*))?$/.exec(
    expression,
  )
  if (m === null) return '-ERR'
  const unquote = (s: string): string => (s.startsWith("'") ? s.slice(1, -1) : s)
  const equal = unquote(m[1] ?? '') === unquote(m[3] ?? '')
  const isTrue = m[2] === '==' ? equal : !equal
  return isTrue ? (m[4] ?? '') : (m[5] ?? '')
}

function timeMatch(cond: XmlElement, now: WallClock | undefined): -1 | 0 | 1 {
  for (const attr of UNSUPPORTED_ATTRS) {
    if (cond.attributes[attr] !== undefined) throw new Error(`condition attribute "${attr}" not modelled`)
  }
  const present = TIME_ATTRS.filter((a) => cond.attributes[a] !== undefined)
  if (present.length === 0) return -1
  if (now === undefined) throw new Error('time condition evaluated without a clock')
  const values: Record<(typeof TIME_ATTRS)[number], number> = {
    wday: now.wday,
    hour: now.hour,
    minute: now.minute,
    // switch_xml.c: minute-of-day counts from 1 (00:00 is minute 1).
    'minute-of-day': now.hour * 60 + now.minute + 1,
    mon: now.mon,
    mday: now.mday,
  }
  return present.every((a) => numberCmp(cond.attributes[a] ?? '', values[a])) ? 1 : 0
}

/**
 * Hunts `context` (the `<extension>` elements in dialplan order) for a call. `vars` holds channel variables
 * and caller-profile fields (`destination_number`, …) and is updated by inline sets.
 */
export function hunt(
  extensions: readonly XmlElement[],
  vars: Map<string, string>,
  now?: WallClock,
): HuntResult {
  const matched: string[] = []
  const actions: Action[] = []
  for (const ext of extensions) {
    const before = actions.length
    const proceed = parseExtension(ext, vars, now, actions)
    if (actions.length > before) matched.push(ext.attributes.name ?? '?')
    if (proceed && ext.attributes.continue !== 'true') break
  }
  return { matched, actions }
}

function parseExtension(
  ext: XmlElement,
  vars: Map<string, string>,
  now: WallClock | undefined,
  out: Action[],
) {
  let proceed = false
  for (const cond of ext.children.filter((c) => c.name === 'condition')) {
    if (cond.children.some((c) => c.name === 'condition')) throw new Error('nested conditions not modelled')
    const time = timeMatch(cond, now)
    let anti = true
    if (time === 1) {
      anti = false
      proceed = true
    } else if (time === 0) proceed = false
    const field = cond.attributes.field
    const expression = cond.attributes.expression ?? ''
    let match: RegExpExecArray | null = null
    if (field !== undefined) {
      const value = field.includes('$') ? expand(field, vars) : (vars.get(field) ?? '')
      match = new RegExp(expand(expression, vars)).exec(value)
      proceed = match !== null
      if (match !== null) anti = false
    } else if (time === -1) {
      anti = false
      proceed = true
    }
    const kind = anti ? 'anti-action' : 'action'
    const list = cond.children.filter((c) => c.name === kind)
    for (const a of list) {
      let data = a.attributes.data ?? ''
      if (!anti && match !== null && expression.includes('(')) {
        data = data.replace(/\$(\d)/g, (_m, n: string) => match?.[Number(n)] ?? '')
      }
      const app = a.attributes.application ?? ''
      if (a.attributes.inline === 'true') runInline(app, data, vars)
      else out.push({ app, data })
    }
    if (anti && list.length > 0) proceed = true
    const brk = cond.attributes.break ?? 'on-false'
    if ((brk === 'on-true' && !anti) || (brk === 'on-false' && anti) || brk === 'always') break
  }
  return proceed
}

function runInline(app: string, data: string, vars: Map<string, string>): void {
  if (app !== 'set') throw new Error(`inline ${app} not modelled`)
  const eq = data.indexOf('=')
  vars.set(data.slice(0, eq), expand(data.slice(eq + 1), vars))
}

/**
 * Runs the queued `set`/`export` actions in order up to the first `socket` and returns the channel variables
 * the daemon would receive, with `${…}` expanded at that moment (as FreeSWITCH does when each action runs).
 * `afterBridge` is applied when a `bridge` action is reached (the variables a failed bridge leaves behind).
 */
export function varsAtSocket(
  actions: readonly Action[],
  vars: ReadonlyMap<string, string>,
  afterBridge: ReadonlyMap<string, string> = new Map(),
): Map<string, string> {
  const channel = new Map(vars)
  for (const { app, data } of actions) {
    if (app === 'socket') return channel
    if (app === 'bridge') for (const [k, v] of afterBridge) channel.set(k, v)
    if (app === 'set' || app === 'export') {
      const eq = data.indexOf('=')
      channel.set(data.slice(0, eq), expand(data.slice(eq + 1), channel))
    }
  }
  throw new Error('no socket action')
}
