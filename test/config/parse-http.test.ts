import t from 'tap'
import { ConfigError } from '../../lib/config/errors.js'
import { defaults } from '../../lib/config/defaults.js'
import { parseConfig } from '../../lib/config/parse.js'

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw, {}, { baseDir: '/' })
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems].sort()
    throw err
  }
  throw new Error('parseConfig accepted an invalid configuration')
}

void t.test('no http section: the page on 127.0.0.1:8085, no proxy trusted, operators on loopback', (t) => {
  const config = parseConfig(undefined, {}, { baseDir: '/x' })
  t.same(config.http, {
    enabled: true,
    host: '127.0.0.1',
    port: 8085,
    trustedProxies: [],
    operatorAllowFrom: ['127.0.0.1', '::1'],
    sessionIdleMinutes: 30,
    sessionMaxHours: 12,
    maxUploadBytes: 32 * 1024 * 1024,
    health: { minFreeDiskMiB: 100, maxOutboxAgeMinutes: 60 },
  })
  t.notOk(Object.isFrozen(defaults.http.trustedProxies), 'the shared defaults are not frozen by parsing')
  t.end()
})

void t.test('every key read, ranges and CIDR lists accepted', (t) => {
  const config = parseConfig(
    {
      http: {
        enabled: false,
        host: '0.0.0.0',
        port: 9000,
        trustedProxies: ['10.0.0.0/8', '::1', 'loopback'],
        operatorAllowFrom: '192.168.1.0/24',
        sessionIdleMinutes: 5,
        sessionMaxHours: 1,
        maxUploadBytes: 1048576,
        health: { minFreeDiskMiB: 0, maxOutboxAgeMinutes: 5 },
      },
    },
    {},
    { baseDir: '/' },
  )
  t.match(config.http, {
    enabled: false,
    host: '0.0.0.0',
    port: 9000,
    trustedProxies: ['10.0.0.0/8', '::1', 'loopback'],
    operatorAllowFrom: ['192.168.1.0/24'],
    sessionIdleMinutes: 5,
    sessionMaxHours: 1,
    maxUploadBytes: 1048576,
    health: { minFreeDiskMiB: 0, maxOutboxAgeMinutes: 5 },
  })
  t.end()
})

void t.test('every mistake in the http section is reported at once', (t) => {
  t.same(
    problemsOf({
      listen: { port: 8090 },
      http: {
        port: 8090,
        trustedProxies: ['10.0.0.0/33', 'proxy.example.com'],
        sessionIdleMinutes: 120,
        sessionMaxHours: 1,
        maxUploadBytes: 10,
        health: { maxOutboxAgeMinutes: 0, bogus: 1 },
        enabeld: true,
      },
    }),
    [
      'http.enabeld: unknown key (did you mean "enabled"?)',
      'http.health.bogus: unknown key',
      'http.health.maxOutboxAgeMinutes: must be an integer 1-43200 (got 0)',
      'http.maxUploadBytes: must be an integer 65536-268435456 (got 10)',
      'http.port: must differ from listen.port (8090)',
      'http.sessionIdleMinutes: must not exceed sessionMaxHours (1 h = 60 min)',
      'http.trustedProxies[0]: must be an IP address, a CIDR range such as 10.0.0.0/8, or loopback (got "10.0.0.0/33")',
      'http.trustedProxies[1]: must be an IP address, a CIDR range such as 10.0.0.0/8, or loopback (got "proxy.example.com")',
    ],
  )
  t.end()
})

void t.test('a disabled listener may share the outbound port number (it never binds)', (t) => {
  const config = parseConfig({ http: { enabled: false, port: 8084 } }, {}, { baseDir: '/' })
  t.equal(config.http.port, 8084)
  t.end()
})
