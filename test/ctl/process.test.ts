import { spawn } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import { ctlFixture } from './fixture.js'

const entry = join(import.meta.dirname, '../../daemon/ctl.ts')
// The TypeScript loader this test itself runs under (tap's), so the real entry runs without a build.
const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'))

function voicemailctl(
  args: string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...loader, entry, ...args], {
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin)
  })
}

void t.test(
  'the voicemailctl entry: exit codes, stdin PIN, JSON on stdout',
  { skip: loader.length === 0 ? "not under tap's TypeScript loader" : false },
  async (t) => {
    const f = await ctlFixture(t)
    const help = await voicemailctl(['--help'])
    t.equal(help.code, 0)
    t.match(help.stdout, /usage: voicemailctl/)
    const add = await voicemailctl(['--config', f.configPath, 'mailbox', 'add', '100', '--json'])
    t.equal(add.code, 0, add.stderr)
    t.match(JSON.parse(add.stdout), { ok: true, mailbox: { id: '100' } })
    const weak = await voicemailctl(['--config', f.configPath, 'pin', 'set', '100'], '1234\n')
    t.equal(weak.code, 1)
    t.match(weak.stderr, /PIN refused: That PIN is too common/)
    const good = await voicemailctl(['--config', f.configPath, 'pin', 'set', '100'], '4821\n')
    t.equal(good.code, 0, good.stderr)
    const env = await voicemailctl(['--config', join(f.dir, 'missing.yaml'), 'mailbox', 'list'])
    t.equal(env.code, 3)
    t.match(env.stderr, /cannot read the config file \(no such file\)/)
  },
)
