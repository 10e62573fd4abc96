import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { verifyPin } from '../../lib/store/pin.js'
import { ctlFixture } from './fixture.js'

/**
 * `voicemailctl pin set` typed on a terminal must not echo the PIN. The real entry runs under a pseudo-terminal
 * (util-linux `script`), which echoes whatever the program does not turn off, exactly like a login shell's tty.
 */
const entry = join(import.meta.dirname, '../../daemon/ctl.ts')
const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'))
const SCRIPT = '/usr/bin/script'

function onTerminal(args: string[], typed: string): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, ...loader, entry, ...args].map((w) => `'${w}'`).join(' ')
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, ['-qec', command, '/dev/null'], {
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let screen = ''
    let sent = false
    const onOutput = (d: Buffer): void => {
      screen += d.toString()
      // Type only once the prompt is up: keys typed earlier would be echoed before the program could stop it.
      if (!sent && screen.includes('new PIN')) {
        sent = true
        child.stdin.end(typed)
      }
    }
    child.stdout.on('data', onOutput)
    child.stderr.on('data', onOutput)
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, screen }))
  })
}

void t.test(
  'pin set on a terminal: the PIN is read without echo',
  {
    skip:
      loader.length === 0
        ? "not under tap's TypeScript loader"
        : !existsSync(SCRIPT)
          ? 'no util-linux script for a pseudo-terminal'
          : false,
  },
  async (t) => {
    const f = await ctlFixture(t)
    t.equal((await f.run(['mailbox', 'add', '100'])).code, 0)
    const { code, screen } = await onTerminal(
      ['--config', f.configPath, 'pin', 'set', '100'],
      '48x\u007f21\r',
    )
    t.equal(code, 0, screen)
    t.match(screen, /new PIN \(then Enter\)/, 'the prompt is shown')
    t.notMatch(screen, /48|21/, 'no digit of the PIN appears on the screen')
    const box = await (await f.store()).mailboxes.find('example.com', '100')
    t.ok(await verifyPin('4821', box?.pinHash ?? ''), 'the PIN typed (with a backspace) is stored')
  },
)
