/**
 * Comparing two traces (trace.ts) of the same scripted call, real FreeSWITCH against the simulator. Every
 * difference is reported as one line; the test checks each against its allow-list of accepted differences.
 */
import type { SeenEvent, Trace } from './trace.js'

export interface Difference {
  /** Which part differs: `exchange 12`, `event 7 CHANNEL_EXECUTE_COMPLETE record: record_ms`, `event names`, … */
  where: string
  real: string
  simulator: string
}

/** Numbers the two sides cannot agree on exactly (media timing), with how far apart they may be. */
const TOLERANCE: Record<string, number> = {
  // Real FreeSWITCH starts counting after the first frames reach the file (~80 ms less than the wall time), and
  // the test's keys and hangups land a few ms to a few hundred ms apart under load.
  record_ms: 1000,
  // Samples (8 per ms): a key pressed "500 ms into a prompt" lands ±1 s apart under load; `say` plays real files.
  playback_last_offset_pos: 8000,
}

export function compareTraces(real: Trace, simulator: Trace): Difference[] {
  const out: Difference[] = []
  compareLists('exchange', real.exchanges, simulator.exchanges, out)
  compareEvents(real.events, simulator.events, out)
  const names = new Set([...Object.keys(real.eventNames), ...Object.keys(simulator.eventNames)])
  for (const name of [...names].sort()) {
    const r = real.eventNames[name] ?? 0
    const s = simulator.eventNames[name] ?? 0
    if (r !== s) out.push({ where: `event count ${name}`, real: String(r), simulator: String(s) })
  }
  compareLists('notice', real.notices, simulator.notices, out)
  for (const a of real.anomalies) out.push({ where: 'anomaly', real: a, simulator: '' })
  for (const a of simulator.anomalies) out.push({ where: 'anomaly', real: '', simulator: a })
  return out
}

/** Element by element; after the first mismatch of lengths the rest is one difference (no cascade). */
export function compareLists(
  what: string,
  real: readonly string[],
  simulator: readonly string[],
  out: Difference[],
): void {
  const n = Math.max(real.length, simulator.length)
  for (let i = 0; i < n; i++) {
    const r = real[i] ?? '(none)'
    const s = simulator[i] ?? '(none)'
    if (r !== s) out.push({ where: `${what} ${i}`, real: r, simulator: s })
  }
}

function compareEvents(real: readonly SeenEvent[], simulator: readonly SeenEvent[], out: Difference[]): void {
  const n = Math.max(real.length, simulator.length)
  for (let i = 0; i < n; i++) {
    const r = real[i]
    const s = simulator[i]
    if (r === undefined || s === undefined || r.label !== s.label) {
      // The sequences went apart: report where, not every later pair.
      out.push({
        where: `event ${i}`,
        real: r === undefined ? '(none)' : r.label,
        simulator: s === undefined ? '(none)' : s.label,
      })
      return
    }
    const keys = new Set([...Object.keys(r.fields), ...Object.keys(s.fields)])
    for (const key of [...keys].sort()) {
      const a = r.fields[key]
      const b = s.fields[key]
      if (a === b || withinTolerance(key, a, b)) continue
      out.push({ where: `event ${i} ${r.label}: ${key}`, real: a ?? '(absent)', simulator: b ?? '(absent)' })
    }
  }
}

function withinTolerance(key: string, a: string | undefined, b: string | undefined): boolean {
  const tolerance = TOLERANCE[key]
  if (tolerance === undefined || a === undefined || b === undefined) return false
  const x = Number(a)
  const y = Number(b)
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= tolerance
}

/** One accepted difference: which differences it covers and why it is accepted (README lists the same). */
export interface Accepted {
  reason: string
  covers(d: Difference): boolean
}

export function describe(d: Difference): string {
  return `${d.where}: real ${JSON.stringify(d.real)}, simulator ${JSON.stringify(d.simulator)}`
}
