import t from 'tap'
import { createLogger } from '../lib/log.js'
import { duplicateKeys } from './support/json-keys.js'

function capture(level: 'debug' | 'info' = 'info'): {
  log: ReturnType<typeof createLogger>
  lines: string[]
} {
  const lines: string[] = []
  return { log: createLogger(level, { write: (s: string) => void lines.push(s) }), lines }
}

void t.test('each key once: a child replaces its parent, the call replaces the bindings', (t) => {
  const { log, lines } = capture()
  const call = log.child({ component: 'calls', domain: 'a.test' })
  const flow = call.child({ flow: 'deposit', domain: 'b.test', mailbox: '100' })
  flow.info({ mailbox: '101', durationMs: 5000 }, 'message stored')
  call.info({}, 'call started')
  t.equal(lines.length, 2)
  for (const line of lines) t.same(duplicateKeys(line), [], `no repeated key in ${line}`)
  t.match(JSON.parse(lines[0] ?? '{}'), {
    service: 'voicemaild',
    component: 'calls',
    domain: 'b.test',
    flow: 'deposit',
    mailbox: '101',
    durationMs: 5000,
    msg: 'message stored',
  })
  t.match(JSON.parse(lines[1] ?? '{}'), { domain: 'a.test', msg: 'call started' }, 'the parent is unchanged')
  t.end()
})

void t.test('levels, errors and redaction still work through the bindings', (t) => {
  const { log, lines } = capture()
  const child = log.child({ component: 'x' })
  child.debug({}, 'hidden at info')
  child.warn({ err: new Error('boom') }, 'w')
  child.error({ pin: '4821' }, 'e')
  child.fatal({}, 'f')
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  t.same(
    parsed.map((p) => [p.level, p.msg]),
    [
      [40, 'w'],
      [50, 'e'],
      [60, 'f'],
    ],
  )
  t.match(parsed[0], { err: { type: 'Error', message: 'boom' } }, 'err serialised')
  t.equal(parsed[1]?.pin, '[redacted]', 'a PIN never reaches the log')
  const debug = capture('debug')
  debug.log.child({ a: 1 }).debug({ b: 2 }, 'd')
  t.match(JSON.parse(debug.lines[0] ?? '{}'), { level: 20, a: 1, b: 2 })
  t.end()
})
