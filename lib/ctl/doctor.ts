import { constants } from 'node:fs'
import { access, readdir, stat, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import sqlite3 from 'sqlite3'
import type { Config, FreeswitchNode } from '../config/types.js'
import { migrations } from '../store/migrations.js'
import { str } from './args.js'
import type { Command } from './command.js'
import type { CtlContext } from './context.js'
import { findShadowedCodes } from './doctor-dialplan.js'
import { EslProbe, EslProbeError } from './doctor-esl.js'
import type { Output } from './output.js'

export type CheckStatus = 'ok' | 'warn' | 'fail'

/** One doctor finding. */
export interface Check {
  check: string
  status: CheckStatus
  detail: string
}

const PROBE_TIMEOUT_MS = 3000

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

async function stateDirChecks(config: Config, uid: number | undefined): Promise<Check[]> {
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
async function databaseCheck(config: Config): Promise<Check> {
  const path = join(config.stateDir, 'voicemail.db')
  if ((await stat(path).catch(() => undefined)) === undefined) {
    return {
      check: 'database',
      status: 'warn',
      detail: `${path} does not exist yet (created at the daemon's first start)`,
    }
  }
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d: sqlite3.Database = new sqlite3.Database(path, sqlite3.OPEN_READONLY, (err) =>
      err === null ? resolve(d) : reject(err),
    )
  }).catch((err: unknown) => describe(err))
  if (typeof db === 'string')
    return { check: 'database', status: 'fail', detail: `cannot open ${path}: ${db}` }
  const get = <T>(sql: string): Promise<T | undefined> =>
    new Promise((resolve, reject) =>
      db.get(sql, (err: Error | null, row: T | undefined) => (err === null ? resolve(row) : reject(err))),
    )
  try {
    await get('PRAGMA busy_timeout = 5000')
    const version = (await get<{ user_version: number }>('PRAGMA user_version'))?.user_version ?? 0
    const quick = (await get<{ quick_check: string }>('PRAGMA quick_check'))?.quick_check ?? '?'
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
    db.close()
  }
}

async function outboxCheck(config: Config): Promise<Check | undefined> {
  const path = join(config.stateDir, 'voicemail.db')
  if ((await stat(path).catch(() => undefined)) === undefined) return undefined
  return new Promise((resolve) => {
    const db = new sqlite3.Database(path, sqlite3.OPEN_READONLY, (openErr) => {
      if (openErr !== null) return resolve(undefined)
      db.get(
        "SELECT count(*) AS n FROM mail_outbox WHERE status = 'failed'",
        (err: Error | null, row: { n: number } | undefined) => {
          db.close()
          if (err !== null || row === undefined) return resolve(undefined)
          resolve(
            row.n === 0
              ? { check: 'mail outbox', status: 'ok', detail: 'no failed mail' }
              : {
                  check: 'mail outbox',
                  status: 'warn',
                  detail: `${row.n} failed mail(s): voicemailctl mail list --status failed`,
                },
          )
        },
      )
    })
  })
}

async function freeswitchChecks(node: FreeswitchNode, context: string): Promise<Check[]> {
  const name = `freeswitch ${node.host}:${node.port}`
  let probe: EslProbe
  try {
    probe = await EslProbe.open(node, PROBE_TIMEOUT_MS)
  } catch (err) {
    const hint =
      err instanceof EslProbeError && err.kind === 'auth'
        ? ' (freeswitch[].password vs event_socket.conf.xml)'
        : ''
    return [{ check: name, status: 'fail', detail: `${describe(err)}${hint}` }]
  }
  const checks: Check[] = []
  try {
    const status = await probe.api('status')
    const version = /FreeSWITCH \(Version ([^)]*)\)/.exec(status)?.[1]
    checks.push({
      check: name,
      status: 'ok',
      detail: `reachable, authenticated${version === undefined ? '' : `, FreeSWITCH ${version.split(' ')[0]}`}`,
    })
    const loaded = (await probe.api('module_exists mod_voicemail')).trim()
    if (loaded === 'true') {
      checks.push({
        check: `${name} mod_voicemail`,
        status: 'fail',
        detail:
          'mod_voicemail is loaded: it answers MESSAGE_QUERY with "no" and races voicemaild. Run `unload mod_voicemail` in fs_cli and remove it from modules.conf.xml',
      })
    } else if (loaded === 'false') {
      checks.push({ check: `${name} mod_voicemail`, status: 'ok', detail: 'not loaded' })
    } else {
      checks.push({
        check: `${name} mod_voicemail`,
        status: 'warn',
        detail: `cannot tell (module_exists answered ${JSON.stringify(loaded.slice(0, 80))})`,
      })
    }
    checks.push(await featureCodeCheck(probe, name, context))
  } catch (err) {
    checks.push({ check: name, status: 'fail', detail: `authenticated, then: ${describe(err)}` })
  } finally {
    probe.close()
  }
  return checks
}

async function featureCodeCheck(probe: EslProbe, name: string, context: string): Promise<Check> {
  const check = `${name} feature codes`
  const xml = await probe.api('xml_locate dialplan')
  if (!xml.includes('<'))
    return {
      check,
      status: 'warn',
      detail: `cannot read the dialplan (xml_locate: ${xml.trim().slice(0, 80)}); check by hand that 5000/5001 reach voicemaild`,
    }
  const { context: found, findings } = findShadowedCodes(xml, context)
  if (!found) return { check, status: 'warn', detail: `no dialplan context "${context}" (use --context)` }
  const shadowed = findings.filter((f) => f.status === 'shadowed')
  if (shadowed.length > 0) {
    const list = shadowed.map((f) => `${f.code} goes to "${f.winner}" before "${f.ours}"`).join('; ')
    return {
      check,
      status: 'fail',
      detail: `${list}: remove those extensions from dialplan/default.xml or include voicemaild's snippets before them (docs/operations.md)`,
    }
  }
  const ours = findings.filter((f) => f.ours !== undefined)
  if (ours.length === 0)
    return {
      check,
      status: 'warn',
      detail: `no extension in context "${context}" hands calls to voicemaild: copy freeswitch-xml/dialplan/default/*.xml`,
    }
  const foreign = findings.filter((f) => f.status === 'not-ours')
  const note =
    foreign.length > 0
      ? `; ${foreign.map((f) => `${f.code} is "${f.winner}"`).join(', ')} (fine if you renumbered)`
      : ''
  return {
    check,
    status: foreign.length > 0 ? 'warn' : 'ok',
    detail: `${ours.map((f) => f.code).join(', ')} reach voicemaild${note}`,
  }
}

async function mailCheck(config: Config): Promise<Check> {
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
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    tls: { rejectUnauthorized: smtp.rejectUnauthorized },
    ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 5000,
  })
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

/** Print the checks and resolve to the exit code: 1 when any failed. */
export function report(out: Output, checks: readonly Check[]): number {
  const failed = checks.filter((c) => c.status === 'fail').length
  const warned = checks.filter((c) => c.status === 'warn').length
  out.result({ healthy: failed === 0, checks }, () => {
    const width = Math.max(...checks.map((c) => c.check.length))
    const lines = checks.map(
      (c) => `${c.status.toUpperCase().padEnd(4)}  ${c.check.padEnd(width)}  ${c.detail}`,
    )
    return [...lines, '', `${failed} failed, ${warned} warning(s)`].join('\n')
  })
  return failed > 0 ? 1 : 0
}

/** The whole doctor run over a loaded config. */
export async function runDoctor(ctx: CtlContext, context: string): Promise<Check[]> {
  const config = ctx.config
  const origin =
    config.source?.file ??
    (config.source?.defaultsOnly === true ? 'embedded defaults (no config file)' : 'built-in configuration')
  const checks: Check[] = [{ check: 'config', status: 'ok', detail: `loaded: ${origin}` }]
  checks.push(...(await stateDirChecks(config, ctx.io.uid)))
  checks.push(await databaseCheck(config))
  const outbox = await outboxCheck(config)
  if (outbox !== undefined) checks.push(outbox)
  for (const node of config.freeswitch) checks.push(...(await freeswitchChecks(node, context)))
  checks.push(await mailCheck(config))
  return checks
}

export const doctorCommands: Command[] = [
  {
    name: 'doctor',
    summary:
      'Check the installation: config, state directory, database, FreeSWITCH (reachable, mod_voicemail not loaded, feature codes not shadowed), SMTP.',
    args: [],
    options: {
      context: { type: 'string', value: 'NAME', help: 'dialplan context the phones use (default "default")' },
    },
    notes:
      "Each line is OK, WARN or FAIL with its reason; the exit code is 1 when any check failed.\nRun it as the daemon's user (e.g. sudo -u voicemaild voicemailctl doctor) so permissions are tested for that user.",
    async run(ctx, { values }) {
      return report(ctx.out, await runDoctor(ctx, str(values, 'context') ?? 'default'))
    },
  },
]
