import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { defaults } from '../../lib/config/defaults.js'
import { repoRoot } from '../support/fs-conf.js'
import { parseUnit, single, values } from '../support/systemd-unit.js'

const run = promisify(execFile)
const UNIT_PATH = join(repoRoot, 'systemd', 'voicemaild.service')
const SCRIPT = join(repoRoot, 'scripts', 'verify-systemd.sh')
const source = readFileSync(UNIT_PATH, 'utf8')
const unit = parseUnit(source)
const svc = (key: string): string => single(unit, 'Service', key)

const hasAnalyze = async (): Promise<boolean> => {
  try {
    await run('systemd-analyze', ['--version'])
    return true
  } catch {
    return false
  }
}

void t.test('the unit file parser', (t) => {
  const u = parseUnit('# c\n; c\n[A]\nX = 1\nX=2\nY=a \\\n  b\n')
  t.same(values(u, 'A', 'X'), ['1', '2'], 'repeated keys keep every value')
  t.equal(single(u, 'A', 'Y'), 'a  b', 'continuation lines join')
  t.throws(() => parseUnit('X=1'), 'a key outside a section is an error')
  t.throws(() => parseUnit('[A]\nnot a key\n'), 'a line that is no Key=Value is an error')
  t.throws(() => single(u, 'A', 'X'), 'single() refuses repeated keys')
  t.end()
})

void t.test('runs the daemon as FreeSWITCH', (t) => {
  t.equal(svc('Type'), 'simple', 'Type=simple (no sd_notify)')
  t.equal(svc('User'), 'freeswitch', 'as the freeswitch user')
  t.equal(svc('Group'), 'freeswitch', 'and group, to share the audio files')
  t.equal(
    svc('ExecStart'),
    '/usr/bin/node /opt/voicemaild/dist/daemon/main.js --config /etc/voicemaild/voicemaild.yaml',
    'the documented install paths and the default config path',
  )
  t.equal(svc('ExecReload'), '/bin/kill -HUP $MAINPID', 'reload is SIGHUP')
  t.equal(svc('Restart'), 'on-failure', 'restarted when it fails')
  t.ok(Number(svc('TimeoutStopSec')) > defaults.drainSeconds, 'stop timeout leaves room for the call drain')
  t.equal(svc('StateDirectory'), 'voicemaild', '/var/lib/voicemaild is the state directory')
  t.equal(svc('WorkingDirectory'), '/var/lib/voicemaild', 'relative paths land in the state directory')
  t.equal(svc('UMask'), '0007', 'files group-shared with FreeSWITCH, never world-readable')
  t.same(
    values(unit, 'Service', 'Environment'),
    ['NODE_ENV=production', 'UV_THREADPOOL_SIZE=64'],
    'NODE_ENV=production, and 16 libuv threads so fsyncs do not starve SQLite',
  )
  t.equal(single(unit, 'Install', 'WantedBy'), 'multi-user.target', 'enabled at boot')
  t.end()
})

void t.test('passes secrets as credentials', (t) => {
  const creds = values(unit, 'Service', 'LoadCredential').map((v) => v.split(':')[0])
  t.same(creds.sort(), ['freeswitch-password', 'smtp-password'], 'the two names the daemon reads')
  for (const v of values(unit, 'Service', 'LoadCredential')) {
    t.match(
      v,
      /^[a-z-]+:\/etc\/voicemaild\/credentials\/[a-z-]+$/,
      `${v} is read from /etc/voicemaild/credentials`,
    )
  }
  t.notOk(/password\s*=/i.test(source.replace(/^#.*$/gm, '')), 'no secret in the unit itself')
  t.end()
})

void t.test('is hardened', (t) => {
  const yes = [
    'NoNewPrivileges',
    'ProtectHome',
    'PrivateTmp',
    'PrivateDevices',
    'PrivateMounts',
    'ProtectKernelTunables',
    'ProtectKernelModules',
    'ProtectKernelLogs',
    'ProtectControlGroups',
    'ProtectClock',
    'ProtectHostname',
    'RestrictNamespaces',
    'RestrictRealtime',
    'RestrictSUIDSGID',
    'LockPersonality',
  ]
  for (const key of yes) t.equal(svc(key), 'yes', `${key}=yes`)
  t.equal(svc('ProtectSystem'), 'strict', 'ProtectSystem=strict')
  t.equal(svc('RestrictAddressFamilies'), 'AF_INET AF_INET6 AF_UNIX', 'IP and local sockets only')
  t.equal(svc('CapabilityBoundingSet'), '', 'no capabilities')
  t.ok(
    values(unit, 'Service', 'SystemCallFilter').includes('@system-service'),
    'system-service syscalls only',
  )
  t.equal(svc('SystemCallErrorNumber'), 'EPERM', 'a refused syscall fails instead of killing Node')
  t.same(
    values(unit, 'Service', 'MemoryDenyWriteExecute'),
    [],
    'MemoryDenyWriteExecute unset: V8 JIT needs it',
  )
  t.match(source, /# MemoryDenyWriteExecute=[^\n]*JIT/, 'and a comment says why')
  t.ok(Number(svc('LimitNOFILE')) >= 4096, 'descriptors for 1,000 concurrent calls')
  t.end()
})

const skip = (await hasAnalyze())
  ? false
  : 'systemd-analyze is not on PATH: unit not verified by systemd (scripts/verify-systemd.sh does it on Debian)'

void t.test('systemd-analyze accepts it', { skip }, async (t) => {
  const ok = await run(SCRIPT, [])
  t.match(ok.stdout, /OK: systemd-analyze verify/, 'verify passes with no warning about the unit')

  const dir = t.testdir()
  const broken = join(dir, 'voicemaild.service')
  writeFileSync(broken, source.replace('UMask=0007', 'UMask=0007\nProtectEverything=yes'))
  const err = await run(SCRIPT, [broken]).then(
    () => undefined,
    (e: unknown) => e,
  )
  t.match(
    err,
    { code: 1, stderr: /Unknown key 'ProtectEverything'/ },
    'and the script catches an unknown key',
  )
})
