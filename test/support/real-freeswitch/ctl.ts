/**
 * `voicemailctl` against a test PBX, as its operator runs it: the same config file as the daemon, the same command
 * line, the same database and state directory. Run in this process (`runCtl`, what `daemon/ctl.ts` calls): a child
 * process would spend seconds compiling TypeScript on a loaded machine for each command, and the process wrapper
 * has tests of its own (test/ctl/process.test.ts). For setting up what an operator would (greetings, PINs).
 */
import { Readable } from 'node:stream'
import { systemClock } from '../../../lib/clock.js'
import { runCtl } from '../../../lib/ctl/main.js'
import type { Pbx } from './pbx.js'

export interface CtlResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs `voicemailctl --config <pbx config> ...args` (stdin: `input`); rejects unless it exits 0. */
export async function voicemailctl(pbx: Pbx, args: string[], input?: string): Promise<CtlResult> {
  let stdout = ''
  let stderr = ''
  const code = await runCtl(['--config', pbx.configPath, ...args], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    ...(input === undefined ? {} : { stdin: Readable.from([input]) }),
    env: {},
    cwd: pbx.dir,
    clock: systemClock,
    defaultConfigPath: pbx.configPath,
  })
  if (code !== 0) throw new Error(`voicemailctl ${args.join(' ')} exited ${code}: ${stderr}`)
  return { code, stdout, stderr }
}
