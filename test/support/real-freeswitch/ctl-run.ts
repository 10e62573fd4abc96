/**
 * The real `voicemailctl` (daemon/ctl.ts as a child process) against a PBX of the real tier: its config file,
 * hence its state directory, database and FreeSWITCH event socket.
 */
import { spawnEntry } from '../spawn-daemon.js'
import type { Pbx } from './pbx.js'

export interface CtlRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `voicemailctl --config <the PBX's> ...args` to its end. */
export async function voicemailctl(pbx: Pick<Pbx, 'configPath'>, args: readonly string[]): Promise<CtlRun> {
  const run = spawnEntry('daemon/ctl.ts', ['--config', pbx.configPath, ...args])
  const code = await run.exited
  return { code, stdout: run.stdout(), stderr: run.stderr() }
}

/** Runs it with `--json` and parses stdout (one JSON document, docs/operator-guide.md, "voicemailctl"). */
export async function voicemailctlJson(
  pbx: Pick<Pbx, 'configPath'>,
  args: readonly string[],
): Promise<CtlRun & { json: Record<string, unknown> }> {
  const run = await voicemailctl(pbx, ['--json', ...args])
  let json: Record<string, unknown>
  try {
    json = JSON.parse(run.stdout) as Record<string, unknown>
  } catch {
    throw new Error(
      `voicemailctl ${args.join(' ')}: stdout is not JSON: ${run.stdout}; stderr: ${run.stderr}`,
    )
  }
  return { ...run, json }
}
