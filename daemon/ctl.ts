#!/usr/bin/env node
import { runCtl } from '../lib/ctl/main.js'

/**
 * `voicemailctl`: the operator's command line (docs/operator-guide.md, "voicemailctl"). Entry only: hands argv, the environment and
 * the standard streams to `runCtl` and exits with its code (0 ok, 1 failed/refused, 2 usage, 3 cannot run).
 */
const code = await runCtl(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  stdinIsTty: process.stdin.isTTY,
  env: process.env,
  cwd: process.cwd(),
  ...(process.getuid === undefined ? {} : { uid: process.getuid() }),
})
// Let stdout drain (a long `--json` document into a pipe) before leaving; exitCode, not exit().
process.exitCode = code
