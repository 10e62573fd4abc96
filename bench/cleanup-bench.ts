/**
 * Cleanup of 100,000 messages (SPEC §9: ≤ 10 s). What is measured, honestly: 100 boxes × 1,000 message rows in
 * the real schema, half marked deleted (purged) and half saved 60 days ago (past the 30-day retention), each with
 * a real 44-byte WAV file (a header with no audio: file size barely matters to unlink, and 100,000 real messages
 * would need ~6 GB). The daemon's `cleanup` job (through the real `startApp` wiring) removes every row and file;
 * the time is the job's wall time. The baseline is the floor for the same work: one bare `DELETE` and an unlink
 * of every file, 64 at a time.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../lib/config/parse.js'
import type { Config } from '../lib/config/types.js'
import { silentLogger } from '../lib/log.js'
import { applyDeclarations } from '../lib/store/declarations.js'
import { openStore } from '../lib/store/index.js'
import { startApp } from '../daemon/app.js'
import { wavHeader } from '../test/support/freeswitch/wav.js'

const BOXES = 100
const DAY = 24 * 3600 * 1000

export interface CleanupFigures {
  messages: number
  daemonMs: number
  baselineMs: number
  removedByDaemon: number
}

function configFor(stateDir: string): Config {
  const mailboxes = Array.from({ length: BOXES }, (_, i) => ({
    id: String(100 + i),
    domain: 'pbx.test',
    kind: 'personal',
  }))
  const parsed = parseConfig(
    {
      stateDir,
      defaultDomain: 'pbx.test',
      // Nothing listens there: the lamps are skipped (not connected), as on a PBX whose FreeSWITCH is down.
      freeswitch: [{ host: '127.0.0.1', port: 9, password: 'ClueCon' }],
      retention: { savedDays: 30, newDays: 0 },
      mailboxes,
    },
    {},
    { baseDir: stateDir },
  )
  return { ...parsed, listen: { ...parsed.listen, port: 0 } }
}

/** Rows and files for `total` messages; returns the absolute file paths. */
async function fill(config: Config, total: number): Promise<string[]> {
  await mkdir(config.stateDir, { recursive: true })
  const store = await openStore(join(config.stateDir, 'voicemail.db'), { now: () => Date.now() })
  await applyDeclarations(store, config)
  const header = wavHeader(0)
  const files: string[] = []
  const perBox = Math.ceil(total / BOXES)
  const old = Date.now() - 60 * DAY
  for (let b = 0; b < BOXES; b++) {
    const id = String(100 + b)
    const box = await store.mailboxes.find('pbx.test', id)
    if (box === undefined) throw new Error(`no box ${id}`)
    const dir = join(config.stateDir, 'recordings', 'pbx.test', id)
    await mkdir(dir, { recursive: true })
    // Half deleted (purge), half saved long ago (retention): every row goes.
    await store.db.run(
      `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ? - 1)
       INSERT INTO messages (uuid, mailbox_id, folder, deleted, received_at, duration_ms, size_bytes, file)
       SELECT printf('%08x-0000-4000-8000-%012x', ?, i), ?, CASE i % 2 WHEN 0 THEN 'new' ELSE 'saved' END,
              1 - i % 2, ?, 0, 44, printf('recordings/pbx.test/%s/%08x-0000-4000-8000-%012x.wav', ?, ?, i)
       FROM seq`,
      [perBox, b, box.rowId, old, id, b],
    )
    for (let i = 0; i < perBox; i++) {
      const uuid = `${b.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`
      files.push(join(dir, `${uuid}.wav`))
    }
  }
  await store.close()
  for (let i = 0; i < files.length; i += 256) {
    await Promise.all(files.slice(i, i + 256).map((f) => writeFile(f, header)))
  }
  return files
}

export async function cleanupBench(total: number): Promise<CleanupFigures> {
  const root = await mkdtemp(join(tmpdir(), 'vmd-bench-cleanup-'))
  try {
    // The daemon's cleanup job.
    const daemonDir = join(root, 'daemon')
    const config = configFor(daemonDir)
    await fill(config, total)
    const app = await startApp(config, silentLogger(), { schedules: false })
    let daemonMs: number
    let removed: number
    try {
      await app.jobs.run('reconcile') // the startup reconcile: let it finish first, it is not what we measure
      const t0 = performance.now()
      const summary = (await app.jobs.run('cleanup')) as { purged?: number; expiredSaved?: number }
      daemonMs = performance.now() - t0
      removed = (summary.purged ?? 0) + (summary.expiredSaved ?? 0)
    } finally {
      await app.stop()
    }

    // The floor: the same rows and files, removed with no logic.
    const baseDir = join(root, 'baseline')
    const baseConfig = configFor(baseDir)
    const files = await fill(baseConfig, total)
    const store = await openStore(join(baseDir, 'voicemail.db'), { now: () => Date.now() })
    const t1 = performance.now()
    await store.db.run('DELETE FROM messages')
    for (let i = 0; i < files.length; i += 64) {
      await Promise.all(files.slice(i, i + 64).map((f) => rm(f, { force: true })))
    }
    const baselineMs = performance.now() - t1
    await store.close()
    return { messages: total, daemonMs, baselineMs, removedByDaemon: removed }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
