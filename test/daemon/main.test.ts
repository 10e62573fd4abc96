import t from 'tap'
import { createServer } from 'node:net'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort } from '../support/ports.js'
import { spawnEntry } from '../support/spawn-daemon.js'

void t.test(
  'with no config file it starts on the embedded defaults and stops cleanly on SIGTERM',
  async (t) => {
    const dir = t.testdir({})
    const daemon = spawnEntry('daemon/main.ts', [], { cwd: dir })
    t.teardown(() => daemon.child.kill('SIGKILL'))
    const line = await daemon.waitFor(/listening for FreeSWITCH/)
    const listening = JSON.parse(line) as { host: string; port: number }
    t.equal(listening.host, '127.0.0.1', 'binds to loopback')
    t.equal(listening.port, 8084, 'on port 8084')
    t.match(daemon.stdout(), /"stateDir":"[^"]*\/var"/, 'state under ./var')
    const page = JSON.parse(await daemon.waitFor(/voicemail page listening/)) as {
      host: string
      port: number
    }
    t.match(page, { host: '127.0.0.1', port: 8085 }, 'the voicemail page on 127.0.0.1:8085')
    const index = await fetch('http://127.0.0.1:8085/')
    t.equal(index.status, 200, 'serves the page')
    t.match(await index.text(), /<title>Voicemail<\/title>/)
    const health = await fetch('http://127.0.0.1:8085/healthz')
    t.match(await health.json(), { checks: { database: { ok: true } } }, 'and /healthz')
    daemon.child.kill('SIGTERM')
    t.equal(await daemon.exited, 0, 'exit 0 after SIGTERM')
    t.match(daemon.stdout(), /"msg":"stopped"/, 'logged its stop')
  },
)

void t.test('SIGHUP reloads the configuration; a broken edit keeps the old one', async (t) => {
  const dir = t.testdir({})
  const config = join(dir, 'voicemaild.yaml')
  await writeFile(config, `stateDir: ${dir}/state\nlisten: { port: 18931 }\nhttp: { enabled: false }\n`)
  const daemon = spawnEntry('daemon/main.ts', ['--config', config])
  t.teardown(() => daemon.child.kill('SIGKILL'))
  await daemon.waitFor(/"msg":"ready"/)
  await writeFile(
    config,
    `stateDir: ${dir}/state\nlisten: { port: 18931 }\nhttp: { enabled: false }\nmailboxes:\n  - { id: "100", domain: localhost, kind: personal }\n`,
  )
  daemon.child.kill('SIGHUP')
  const reloaded = await daemon.waitFor(/configuration reloaded/)
  t.match(reloaded, /100@localhost/, 'the new box was created')
  await writeFile(config, `listen: { port: nope }\n`)
  daemon.child.kill('SIGHUP')
  await daemon.waitFor(/reload refused/)
  t.equal(daemon.child.exitCode, null, 'still running')
  daemon.child.kill('SIGTERM')
  t.equal(await daemon.exited, 0, 'exit 0')
})

void t.test('a bad config file: every problem listed, exit 1, nothing opened', async (t) => {
  const dir = t.testdir({})
  const config = join(dir, 'bad.yaml')
  await writeFile(
    config,
    'listen: { port: 99999 }\nstateDir: 7\ndefaultDomain: "not a domain!"\nretention: { savedDays: -1 }\nbogus: 1\n',
  )
  const daemon = spawnEntry('daemon/main.ts', ['--config', config])
  t.equal(await daemon.exited, 1, 'exit 1')
  const stderr = daemon.stderr()
  for (const path of ['listen.port', 'stateDir', 'defaultDomain', 'retention.savedDays', 'bogus']) {
    t.match(stderr, path, `reports ${path}`)
  }
  t.equal(daemon.stdout(), '', 'did not start')
})

void t.test('a port in use: a clear message and exit 1', async (t) => {
  const dir = t.testdir({})
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => blocker.close())
  const { port } = blocker.address() as { port: number }
  const config = join(dir, 'vm.yaml')
  await writeFile(config, `stateDir: ${dir}/state\nlisten: { port: ${port} }\nhttp: { enabled: false }\n`)
  const daemon = spawnEntry('daemon/main.ts', ['--config', config])
  t.equal(await daemon.exited, 1, 'exit 1')
  t.match(
    daemon.stderr(),
    new RegExp(`cannot listen on 127.0.0.1:${port}.*(EADDRINUSE|in use)`),
    'says the port is in use',
  )
})

void t.test('the voicemail page port in use: a clear message and exit 1', async (t) => {
  const dir = t.testdir({})
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => blocker.close())
  const { port } = blocker.address() as { port: number }
  const config = join(dir, 'vm.yaml')
  await writeFile(config, `stateDir: ${dir}/state\nlisten: { port: 18933 }\nhttp: { port: ${port} }\n`)
  const daemon = spawnEntry('daemon/main.ts', ['--config', config])
  t.equal(await daemon.exited, 1, 'exit 1')
  t.match(daemon.stderr(), new RegExp(`cannot listen on 127.0.0.1:${port} \\(http\\).*(EADDRINUSE|in use)`))
})

void t.test(
  'an unwritable state directory: a clear message and exit 1',
  { skip: process.getuid?.() === 0 ? 'root can write anywhere' : false },
  async (t) => {
    const dir = t.testdir({ locked: {} })
    await chmod(join(dir, 'locked'), 0o500)
    const config = join(dir, 'vm.yaml')
    await writeFile(
      config,
      `stateDir: ${dir}/locked/state\nlisten: { port: 18932 }\nhttp: { enabled: false }\n`,
    )
    const daemon = spawnEntry('daemon/main.ts', ['--config', config])
    t.equal(await daemon.exited, 1, 'exit 1')
    t.match(daemon.stderr(), /state directory .* is not writable/, 'says why')
  },
)

void t.test('an explicit config path that does not exist is an error', async (t) => {
  const daemon = spawnEntry('daemon/main.ts', ['--config', '/nonexistent/voicemaild.yaml'])
  t.equal(await daemon.exited, 1, 'exit 1')
  t.match(daemon.stderr(), /nonexistent/, 'names the file')
})

void t.test('SIGTERM while it is still starting: it finishes starting, then stops cleanly', async (t) => {
  const dir = t.testdir({})
  const config = join(dir, 'voicemaild.yaml')
  await writeFile(
    config,
    `stateDir: ${dir}/state\nlisten: { port: ${await freePort()} }\nhttp: { enabled: false }\n`,
  )
  const daemon = spawnEntry('daemon/main.ts', ['--config', config])
  t.teardown(() => daemon.child.kill('SIGKILL'))
  // The config is read, the database and the listener not opened yet: before, the signal's default action ended
  // the process half-started.
  await daemon.waitFor(/"msg":"starting"/)
  daemon.child.kill('SIGTERM')
  t.equal(await daemon.exited, 0, 'exit 0')
  t.match(daemon.stdout(), /"msg":"stopped"/, 'logged its stop')
  // Usually the signal lands mid-start; on a fast machine the start may have finished first (the same outcome).
  t.comment(
    /stop requested while starting/.test(daemon.stdout())
      ? 'the signal came mid-start'
      : 'it had started already',
  )
})
