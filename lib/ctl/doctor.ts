import type { FreeswitchNode } from '../config/types.js'
import { str } from './args.js'
import type { Command } from './command.js'
import type { CtlContext } from './context.js'
import { findShadowedCodes } from './doctor-dialplan.js'
import { databaseCheck, mailCheck, outboxCheck, stateDirChecks } from './doctor-local.js'
import { EslProbe, EslProbeError } from './doctor-esl.js'
import type { Output } from './output.js'

/** FAIL makes doctor exit 1; WARN is printed only. */
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
      detail: `${list}: remove those extensions from dialplan/default.xml or include voicemaild's snippets before them (README.md, "Operations")`,
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

/** The `doctor` command group. */
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
