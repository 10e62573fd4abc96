import { statfs } from 'node:fs/promises'
import type { HealthConfig } from '../config/types.js'
import type { OutboxRepo } from '../store/outbox.js'

/** What `/healthz` looks at. */
export interface HealthSources {
  link: { readonly nodeStates: ReadonlyArray<{ node: string; connected: boolean }> }
  store: { ping(): Promise<void> }
  outbox: Pick<OutboxRepo, 'counts' | 'oldestPendingAt'>
  stateDir: string
  now(): number
}

export interface HealthReport {
  status: 'ok' | 'fail'
  /** One sentence per failed check, for the operator (empty when ok). */
  reasons: string[]
  checks: {
    freeswitch: { ok: boolean; nodes: Array<{ node: string; connected: boolean }> }
    database: { ok: boolean; ms?: number; error?: string }
    disk: { ok: boolean; freeBytes?: number; minFreeBytes: number; error?: string }
    outbox: { ok: boolean; pending?: number; failed?: number; oldestPendingSeconds?: number; error?: string }
  }
}

const DB_TIMEOUT_MS = 2000
const MIB = 1024 * 1024

/**
 * The daemon's health for a load balancer or monitoring (SPEC §10): failed when no FreeSWITCH node is connected
 * (no lamps, no directory), the database does not answer within 2 s, the state directory's disk has less than
 * `minFreeDiskMiB` free (recordings would fail), or a mail has been waiting longer than `maxOutboxAgeMinutes`
 * (the relay is down or refusing). Failed mails that were given up are reported but do not fail the check: they
 * need an operator, not a restart. Never rejects.
 */
export async function checkHealth(sources: HealthSources, limits: HealthConfig): Promise<HealthReport> {
  const reasons: string[] = []
  const nodes = [...sources.link.nodeStates]
  const freeswitch = { ok: nodes.some((n) => n.connected), nodes }
  if (!freeswitch.ok) reasons.push(`no FreeSWITCH node connected (${nodes.map((n) => n.node).join(', ')})`)

  const [database, disk, outbox] = await Promise.all([
    checkDatabase(sources),
    checkDisk(sources.stateDir, limits.minFreeDiskMiB * MIB),
    checkOutbox(sources, limits.maxOutboxAgeMinutes),
  ])
  if (!database.ok) reasons.push(`database: ${database.error ?? 'no answer'}`)
  if (!disk.ok) {
    reasons.push(
      disk.error !== undefined
        ? `disk: ${disk.error}`
        : `disk: ${mib(disk.freeBytes ?? 0)} MiB free under ${sources.stateDir}, less than ${limits.minFreeDiskMiB} MiB`,
    )
  }
  if (!outbox.ok) {
    reasons.push(
      outbox.error !== undefined
        ? `outbox: ${outbox.error}`
        : `outbox: a mail has waited ${Math.round((outbox.oldestPendingSeconds ?? 0) / 60)} minutes (limit ${limits.maxOutboxAgeMinutes})`,
    )
  }
  return {
    status: reasons.length === 0 ? 'ok' : 'fail',
    reasons,
    checks: { freeswitch, database, disk, outbox },
  }
}

async function checkDatabase(sources: HealthSources): Promise<HealthReport['checks']['database']> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      sources.store.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${DB_TIMEOUT_MS} ms`)), DB_TIMEOUT_MS)
      }),
    ])
    return { ok: true, ms: Math.round(performance.now() - started) }
  } catch (err) {
    return { ok: false, error: message(err) }
  } finally {
    clearTimeout(timer)
  }
}

async function checkDisk(dir: string, minFreeBytes: number): Promise<HealthReport['checks']['disk']> {
  try {
    const fs = await statfs(dir)
    // bavail: what an unprivileged process (the daemon, FreeSWITCH) may still write; bfree counts root's reserve.
    const freeBytes = fs.bavail * fs.bsize
    return { ok: freeBytes >= minFreeBytes, freeBytes, minFreeBytes }
  } catch (err) {
    return { ok: false, minFreeBytes, error: message(err) }
  }
}

async function checkOutbox(
  sources: HealthSources,
  maxAgeMinutes: number,
): Promise<HealthReport['checks']['outbox']> {
  try {
    const [counts, oldest] = await Promise.all([sources.outbox.counts(), sources.outbox.oldestPendingAt()])
    const oldestPendingSeconds =
      oldest === undefined ? 0 : Math.max(0, Math.round((sources.now() - oldest) / 1000))
    return {
      ok: oldestPendingSeconds < maxAgeMinutes * 60,
      pending: counts.pending,
      failed: counts.failed,
      oldestPendingSeconds,
    }
  } catch (err) {
    return { ok: false, error: message(err) }
  }
}

function mib(bytes: number): number {
  return Math.floor(bytes / MIB)
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
