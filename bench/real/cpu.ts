/**
 * CPU time of another process from `/proc/<pid>/stat` (Linux), the same way for FreeSWITCH and the daemon: user +
 * system time of the process itself (all its threads), and separately of its waited-for children (FreeSWITCH's
 * mailer commands run as children: `sh -c "cat … | mailer-app …"`).
 */
import { readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'

/** Clock ticks per second (`getconf CLK_TCK`; 100 on Linux). */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100

export interface CpuSample {
  /** Wall-clock ms. */
  at: number
  /** utime + stime, ms. */
  selfMs: number
  /** cutime + cstime (children it waited for), ms. */
  childrenMs: number
}

export function sampleCpu(pid: number): CpuSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[0] is field 3 (state): utime is field 14 → index 11.
  const tick = (i: number): number => (Number(fields[i]) * 1000) / TICKS
  return { at: Date.now(), selfMs: tick(11) + tick(12), childrenMs: tick(13) + tick(14) }
}

export interface CpuDelta {
  wallMs: number
  selfMs: number
  childrenMs: number
}

export function cpuBetween(a: CpuSample, b: CpuSample): CpuDelta {
  return { wallMs: b.at - a.at, selfMs: b.selfMs - a.selfMs, childrenMs: b.childrenMs - a.childrenMs }
}

/** A process's idle CPU rate (ms of CPU per wall second), measured over `ms`. */
export async function idleRate(pid: number, ms: number): Promise<number> {
  const a = sampleCpu(pid)
  await new Promise((resolve) => setTimeout(resolve, ms))
  const d = cpuBetween(a, sampleCpu(pid))
  return d.selfMs / (d.wallMs / 1000)
}

/** CPU of a window minus what the process spends idle over the same time, never below zero. */
export function busyMs(delta: CpuDelta, idleMsPerSecond: number): number {
  return Math.max(0, delta.selfMs - idleMsPerSecond * (delta.wallMs / 1000))
}
