import { constants } from 'node:fs'
import { access, readdir, stat, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import { createSmtpTransporter } from '../mail/transport.js'
import type { Config } from '../config/types.js'
import { Db } from '../store/db.js'
import { StoreError } from '../store/errors.js'
import { quickCheck } from '../store/maintenance.js'
import { migrations } from '../store/migrations.js'
import { OutboxRepo } from '../store/outbox.js'
import type { Check } from './doctor.js'

/** doctor's checks of this host: state directory, disk, quarantine, database, outbox, mail. None changes anything. */

function describe(err: unknown): string {
  // The store wraps SQLite's error ("database error: …"); doctor reports SQLite's own words.
  if (err instanceof StoreError && err.cause instanceof Error) return err.cause.message
  return err instanceof Error ? err.message : String(err)
}

/** State directory, its subfolders, free disk space and the quarantine. Never rejects. */
export async function stateDirChecks(config: Config, uid: number | undefined): Promise<Check[]> {
  const dir = config.stateDir
  const info = await stat(dir).catch(() => undefined)
  if (info === undefined)
    return [
      {
        check: 'state directory',
        status: 'fail',
        detail: `${dir} does not exist (voicemaild creates it at start if it may)`,
      },
    ]
  if (!info.isDirectory())
    return [{ check: 'state directory', status: 'fail', detail: `${dir} is not a directory` }]
  const checks: Check[] = []
  try {
    await access(dir, constants.R_OK | constants.W_OK | constants.X_OK)
    const owner =
      uid !== undefined && info.uid !== uid
        ? ` (owned by uid ${info.uid}, you are uid ${uid}: run doctor as the daemon's user to test its rights)`
        : ''
    checks.push({
      check: 'state directory',
      status: owner === '' ? 'ok' : 'warn',
      detail: `${dir} is writable by this user${owner}`,
    })
  } catch {
    checks.push({
      check: 'state directory',
      status: 'fail',
      detail: `${dir} is not writable by this user (uid ${uid ?? '?'})`,
    })
  }
  for (const sub of ['recordings', 'backup', 'mail-spool']) {
    const path = join(dir, sub)
    if ((await stat(path).catch(() => undefined)) === undefined) continue
    const ok = await access(path, constants.W_OK | constants.X_OK).then(
      () => true,
      () => false,
    )
    if (!ok)
      checks.push({
        check: `${sub} directory`,
        status: 'fail',
        detail: `${path} is not writable by this user`,
      })
  }
  try {
    const fs = await statfs(dir)
    const free = fs.bavail * fs.bsize
    const share = fs.blocks > 0 ? fs.bavail / fs.blocks : 1
    const gib = (free / 1024 ** 3).toFixed(1)
    checks.push({
      check: 'disk space',
      status: free < 1024 ** 3 || share < 0.05 ? 'warn' : 'ok',
      detail: `${gib} GiB free (${Math.round(share * 100)} %)`,
    })
  } catch (err) {
    checks.push({ check: 'disk space', status: 'warn', detail: `cannot tell: ${describe(err)}` })
  }
  const quarantine = await readdir(join(dir, 'quarantine'), { recursive: true }).catch(() => [] as string[])
  const files = quarantine.filter((f) => f.endsWith('.wav') || /\.wav\.\d+$/.test(f))
  if (files.length > 0)
    checks.push({
      check: 'quarantine',
      status: 'warn',
      detail: `${files.length} file(s) in ${join(dir, 'quarantine')}: recordings reconcile could not adopt; listen and delete`,
    })
  return checks
}

/** Opens the database read-only (doctor changes nothing: no migration) and reads its schema version. */
export async function databaseCheck(config: Config): Promise<Check> {
  const path = join(config.stateDir, 'voicemail.db')
  if ((await stat(path).catch(() => undefined)) === undefined) {
    return {
      check: 'database',
      status: 'warn',
      detail: `${path} does not exist yet (created at the daemon's first start)`,
    }
  }
  const db = await Db.openReadOnly(path).catch((err: unknown) => describe(err))
  if (typeof db === 'string')
    return { check: 'database', status: 'fail', detail: `cannot open ${path}: ${db}` }
  try {
    const version = await db.userVersion()
    const quick = (await quickCheck(db)) ?? '?'
    if (quick !== 'ok') return { check: 'database', status: 'fail', detail: `integrity problem: ${quick}` }
    if (version > migrations.length)
      return {
        check: 'database',
        status: 'fail',
        detail: `schema version ${version} is newer than this voicemailctl (${migrations.length}): upgrade the package`,
      }
    if (version < migrations.length)
      return {
        check: 'database',
        status: 'warn',
        detail: `schema version ${version}; the daemon migrates it to ${migrations.length} at its next start (take a backup first)`,
      }
    return {
      check: 'database',
      status: 'ok',
      detail: `${path}, schema version ${version} (current), integrity ok`,
    }
  } catch (err) {
    return { check: 'database', status: 'fail', detail: `cannot read ${path}: ${describe(err)}` }
  } finally {
    await db.close().catch(() => undefined)
  }
}

/** Failed mail in the outbox; undefined when there is no database to read. Never rejects. */
export async function outboxCheck(config: Config): Promise<Check | undefined> {
  const path = join(config.stateDir, 'voicemail.db')
  if ((await stat(path).catch(() => undefined)) === undefined) return undefined
  // Busy timeout 0 (SQLite's default, which this check always had): a locked database skips it, never delays doctor.
  const db = await Db.openReadOnly(path, { busyTimeoutMs: 0 }).catch(() => undefined)
  if (db === undefined) return undefined
  try {
    const failed = await new OutboxRepo(db).failedCount()
    return failed === 0
      ? { check: 'mail outbox', status: 'ok', detail: 'no failed mail' }
      : {
          check: 'mail outbox',
          status: 'warn',
          detail: `${failed} failed mail(s): voicemailctl mail list --status failed`,
        }
  } catch {
    return undefined
  } finally {
    await db.close().catch(() => undefined)
  }
}

/** SMTP `verify()` (connect, TLS, login) within 5 s, or the spool folder's permissions. Never rejects. */
export async function mailCheck(config: Config): Promise<Check> {
  const smtp = config.smtp
  if (smtp === undefined) {
    const spool = join(config.stateDir, 'mail-spool')
    const target = (await stat(spool).catch(() => undefined)) === undefined ? config.stateDir : spool
    const ok = await access(target, constants.W_OK).then(
      () => true,
      () => false,
    )
    return {
      check: 'mail',
      status: ok ? 'ok' : 'fail',
      detail: `no smtp configured: mail is written to ${spool}${ok ? '' : ' (not writable)'}`,
    }
  }
  const transport = createSmtpTransporter(smtp, { connectionMs: 5000, greetingMs: 5000, socketMs: 5000 })
  try {
    await transport.verify()
    return {
      check: 'smtp',
      status: 'ok',
      detail: `${smtp.host}:${smtp.port} accepts connections${smtp.user === undefined ? '' : ' and the login'}`,
    }
  } catch (err) {
    return { check: 'smtp', status: 'fail', detail: `${smtp.host}:${smtp.port}: ${describe(err)}` }
  } finally {
    transport.close()
  }
}
