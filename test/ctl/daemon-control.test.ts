import { spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import { systemClock } from '../../lib/clock.js'
import { controlSocketPath } from '../../lib/control/protocol.js'
import { runCtl } from '../../lib/ctl/main.js'
import { createLogger } from '../../lib/log.js'
import { OutboxRepo } from '../../lib/store/outbox.js'
import { startHarness, type Harness } from '../support/daemon-harness.js'
import { ctlFixture, type CtlRun } from './fixture.js'

/**
 * One owner per job: with the daemon running, voicemailctl's lamp pushes, `job run` and `mail retry` are served by
 * the daemon over its control socket. voicemailctl's own config points at a FreeSWITCH that does not exist, so a
 * lamp event reaching the simulator went out over the daemon's inbound link, not over a connection of its own.
 */
interface Daemon {
  h: Harness
  lines: Array<Record<string, unknown>>
  ctl(argv: string[]): Promise<CtlRun>
}

async function daemon(t: Test): Promise<Daemon> {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as never)
      done()
    },
  })
  const h = await startHarness(t, { log: createLogger('info', stream) })
  const configPath = join(h.dir, 'voicemailctl.yaml')
  await writeFile(
    configPath,
    [
      `stateDir: ${JSON.stringify(h.dir)}`,
      'defaultDomain: pbx.test',
      'freeswitch: [{ host: 127.0.0.1, port: 1, password: ClueCon }]',
    ].join('\n'),
  )
  return {
    h,
    lines,
    async ctl(argv) {
      let stdout = ''
      let stderr = ''
      const code = await runCtl(['--config', configPath, ...argv], {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        env: {},
        cwd: h.dir,
        clock: systemClock,
        defaultConfigPath: join(h.dir, 'absent.yaml'),
      })
      let json: Record<string, unknown> = {}
      try {
        json = JSON.parse(stdout) as Record<string, unknown>
      } catch {
        // text output
      }
      return { code, stdout, stderr, json }
    },
  }
}

function header(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  return headers.find(([k]) => k === name)?.[1]
}

function lampEvents(d: Daemon): Array<[string | undefined, string | undefined]> {
  return d.h.fs.sentEvents
    .filter((e) => e.name === 'MESSAGE_WAITING')
    .map((e) => [header(e.headers, 'MWI-Message-Account'), header(e.headers, 'Update-Reason')])
}

function served(d: Daemon, op: string): boolean {
  return d.lines.some((l) => l.msg === 'control request served' && l.op === op && l.component === 'control')
}

void t.test('with the daemon running, mwi resync is announced over the daemon’s link', async (t) => {
  const d = await daemon(t)
  t.equal((await d.ctl(['mailbox', 'add', '100'])).code, 0)
  t.equal((await d.ctl(['mailbox', 'add', '101', '--mwi-accounts', '102@pbx.test'])).code, 0)
  const before = lampEvents(d).length
  const r = await d.ctl(['mwi', 'resync', '--json'])
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.match(r.json, { ok: true, servedBy: 'voicemaild', boxes: 2, events: 3 })
  t.equal(r.stderr, '', 'nothing said about a missing daemon or FreeSWITCH')
  t.same(
    lampEvents(d)
      .slice(before)
      .filter(([, reason]) => reason === 'RESYNC')
      .map(([account]) => account)
      .sort(),
    ['sip:100@pbx.test', 'sip:101@pbx.test', 'sip:102@pbx.test'],
    'the events went out over the daemon’s inbound link',
  )
  t.ok(served(d, 'lamps.announce'), 'the daemon logged the request')
  const text = await d.ctl(['mwi', 'resync'])
  t.match(text.stdout, /^voicemaild announced 2 boxes \(3 MESSAGE_WAITING events\) to /)
})

void t.test('with the daemon running, mailbox set and domain set push the lamps through it', async (t) => {
  const d = await daemon(t)
  await d.ctl(['mailbox', 'add', '800', '--kind', 'general', '--mwi-accounts', '101@pbx.test'])
  const before = lampEvents(d).length
  const moved = await d.ctl(['mailbox', 'set', '800', '--mwi-accounts', '102@pbx.test'])
  t.equal(moved.code, 0, moved.stderr)
  t.equal(moved.stderr, '', 'no "FreeSWITCH not reachable" (voicemailctl never connected itself)')
  // The daemon's lamp service coalesces per box: the push for the box as it was and as it is now may be one.
  const accounts = lampEvents(d)
    .slice(before)
    .map(([account]) => account)
  t.ok(accounts.includes('sip:102@pbx.test'), 'the new account got its lamp')
  t.ok(served(d, 'lamps.refresh'))
  const mode = await d.ctl(['domain', 'set', 'pbx.test', '--mode', 'unified', '--unified-mailbox', '800'])
  t.equal(mode.code, 0, mode.stderr)
  t.ok(served(d, 'lamps.announce'), 'a change of mode re-announces through the daemon')
})

void t.test(
  'with the daemon running, job run runs in the daemon and mail retry wakes its worker',
  async (t) => {
    const d = await daemon(t)
    const r = await d.ctl(['job', 'run', 'db-maintenance', '--json'])
    t.equal(r.code, 0, r.stdout + r.stderr)
    t.match(r.json, {
      ok: true,
      job: 'db-maintenance',
      servedBy: 'voicemaild',
      summary: { backup: /voicemail-/ },
    })
    t.ok(
      d.lines.some((l) => l.component === 'jobs' && l.msg === 'job finished' && l.job === 'db-maintenance'),
      'the job ran in the daemon (its log)',
    )
    t.ok(served(d, 'job.run'))
    const text = await d.ctl(['job', 'run', 'cleanup'])
    t.match(text.stdout, /^cleanup: done by voicemaild/)

    const outbox = new OutboxRepo(d.h.app.store.db)
    const [id] = await outbox.enqueue([{ kind: 'new-message', recipients: ['a@pbx.test'], payload: {} }], 0)
    await outbox.markFailed(id ?? 0, '550 no such user')
    const retry = await d.ctl(['mail', 'retry', String(id)])
    t.equal(retry.code, 0, retry.stderr)
    t.equal(retry.stderr, '')
    t.ok(served(d, 'mail.send'), 'the daemon was asked to send it now')
  },
)

void t.test(
  'the daemon owns its socket: mode 0600, removed at stop, then voicemailctl works alone',
  async (t) => {
    const d = await daemon(t)
    const path = controlSocketPath(d.h.dir)
    const { stat } = await import('node:fs/promises')
    t.equal((await stat(path)).mode & 0o777, 0o600)
    await d.h.app.stop()
    await t.rejects(stat(path), { code: 'ENOENT' })
    const r = await d.ctl(['job', 'run', 'outbox', '--json'])
    t.equal(r.code, 0, r.stdout + r.stderr)
    t.match(r.json, { ok: true, servedBy: 'voicemailctl', summary: { sent: 0 } })
    t.match(
      r.stderr,
      /^note: voicemaild is not running \(no .*control\.sock\): voicemailctl runs the job on the database alone\n$/,
    )
  },
)

void t.test('without a daemon, voicemailctl says so once and does the work itself', async (t) => {
  const f = await ctlFixture(t)
  await f.run(['mailbox', 'add', '100'])
  const r = await f.run(['job', 'run', 'db-maintenance'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /^db-maintenance: done\n/)
  t.equal(
    r.stderr,
    `note: voicemaild is not running (no ${controlSocketPath(f.stateDir)}): voicemailctl runs the job on the database alone\n`,
  )
  // A daemon that was killed left its socket behind: still "not running", and said so.
  // (Bound relative to the state directory: the test directory's absolute path is too long for a socket.)
  const killed = spawnSync(
    process.execPath,
    [
      '-e',
      `require('node:net').createServer().listen('control.sock', () => process.kill(process.pid, 'SIGKILL'))`,
    ],
    { cwd: f.stateDir },
  )
  t.equal(killed.signal, 'SIGKILL')
  const set = await f.run(['mailbox', 'set', '100', '--mwi-accounts', '101@example.com'])
  t.equal(set.code, 0, set.stderr)
  t.match(
    set.stderr,
    /^note: voicemaild is not running \(stale socket .*control\.sock\): voicemailctl pushes the lamps over its own FreeSWITCH connection\nnote: FreeSWITCH not reachable/,
    'one line for the daemon, then what its own attempt gave',
  )
})
