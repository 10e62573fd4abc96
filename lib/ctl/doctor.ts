import { str } from './args.js'
import type { Command } from './command.js'
import type { CtlContext } from './context.js'
import { servedDomains } from './doctor-domains.js'
import { freeswitchChecks } from './doctor-freeswitch.js'
import { databaseCheck, mailCheck, outboxCheck, stateDirChecks } from './doctor-local.js'
import type { Output } from './output.js'

/** FAIL makes doctor exit 1; WARN is printed only. */
export type CheckStatus = 'ok' | 'warn' | 'fail'

/** One doctor finding. */
export interface Check {
  check: string
  status: CheckStatus
  detail: string
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
  const ours = await servedDomains(config)
  for (const node of config.freeswitch)
    checks.push(...(await freeswitchChecks(node, { context, ours, config })))
  checks.push(await mailCheck(config))
  return checks
}

/** The `doctor` command group. */
export const doctorCommands: Command[] = [
  {
    name: 'doctor',
    summary:
      'Check the installation: config, state directory, database, FreeSWITCH (reachable, mod_voicemail not loaded, feature codes not shadowed, no route left to mod_voicemail, domains shared), SMTP.',
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
