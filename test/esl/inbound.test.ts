import t, { type Test } from 'tap'
import { createServer, type Socket } from 'node:net'
import { EslCommandError, EslConnectionError, EslTimeoutError } from '../../lib/esl/errors.js'
import { InboundLink } from '../../lib/esl/inbound.js'
import type { FsEvent } from '../../lib/esl/link.js'
import { silentLogger } from '../../lib/log.js'
import { FakeInboundFs, jsonEvent, plainEvent } from './fake-fs.js'

function link(ports: number[], password = 'ClueCon'): InboundLink {
  return new InboundLink(
    ports.map((port) => ({ host: '127.0.0.1', port, password })),
    silentLogger(),
    { initialBackoffMs: 20, maxBackoffMs: 100, connectTimeoutMs: 2000, sendEventTimeoutMs: 2000 },
  )
}

function nextConnect(l: InboundLink): Promise<string> {
  return new Promise((resolve) => {
    let done = false
    l.onConnect((node) => {
      if (!done) resolve(node)
      done = true
    })
  })
}

async function fakeFs(t: Test, password?: string): Promise<FakeInboundFs> {
  const fs = new FakeInboundFs(password)
  await fs.listen()
  t.teardown(() => fs.close())
  return fs
}

void t.test('auth, nixevent, subscription; api; sendevent raw; events delivered', async (t) => {
  const fs = await fakeFs(t)
  const l = link([fs.port])
  t.teardown(() => l.close())
  const events: Array<[FsEvent, string]> = []
  l.onEvent('MESSAGE_QUERY', (e, node) => events.push([e, node]))
  const connected = nextConnect(l)
  t.equal(l.connected, false)
  l.start()
  t.equal(await connected, `127.0.0.1:${fs.port}`)
  t.equal(l.connected, true)
  t.same(fs.commands, [
    'auth ClueCon',
    'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE',
    'nixevent CHANNEL_EXECUTE_COMPLETE BACKGROUND_JOB',
    'event json MESSAGE_QUERY',
  ])

  t.equal(await l.api('status'), 'UP 0 years\n')
  t.equal(
    await l.api('no_such_command'),
    '-ERR no_such_command Command not found!\n',
    'an -ERR body is a value',
  )

  await l.sendEvent('MESSAGE_WAITING', [
    ['MWI-Messages-Waiting', 'yes'],
    ['MWI-Message-Account', 'sip:1000@pbx.test'],
    ['MWI-Voice-Message', '2/1 (1/0)'],
  ])
  t.equal(
    fs.blocks.at(-1),
    'sendevent MESSAGE_WAITING\nMWI-Messages-Waiting: yes\nMWI-Message-Account: sip:1000@pbx.test\n' +
      'MWI-Voice-Message: 2/1 (1/0)',
    'values are written raw, not url-encoded',
  )

  const got = new Promise<void>((resolve) => l.onEvent('MESSAGE_QUERY', () => resolve()))
  fs.broadcast(
    jsonEvent({
      'Event-Name': 'MESSAGE_QUERY',
      'Message-Account': 'sip:1000@pbx.test',
      'VM-Sofia-Profile': 'internal',
      'VM-sub-call-id': 'abc@192.0.2.10',
    }),
  )
  await got
  const [event, node] = events[0] ?? []
  t.equal(node, `127.0.0.1:${fs.port}`)
  t.equal(event?.name, 'MESSAGE_QUERY')
  t.equal(event?.headers.get('Message-Account'), 'sip:1000@pbx.test')
  t.equal(event?.headers.get('VM-sub-call-id'), 'abc@192.0.2.10')

  // A plain event with a raw %FF does not break the link.
  const again = new Promise<FsEvent>((resolve) => l.onEvent('MESSAGE_QUERY', (e) => resolve(e)))
  fs.broadcast(plainEvent({ 'Event-Name': 'MESSAGE_QUERY', 'Message-Account': 'sip:1001@pbx.test' }))
  t.equal((await again).headers.get('Message-Account'), 'sip:1001@pbx.test', 'plain events are decoded')
})

void t.test('CR/LF in a sendevent or api is refused before anything is written', async (t) => {
  const fs = await fakeFs(t)
  const l = link([fs.port])
  t.teardown(() => l.close())
  const connected = nextConnect(l)
  l.start()
  await connected
  const before = fs.blocks.length
  await t.rejects(
    l.sendEvent('MESSAGE_WAITING', [['MWI-Message-Account', '1000@x\napi shutdown']]),
    EslCommandError,
  )
  await t.rejects(l.sendEvent('MESSAGE_WAITING', [['Bad\rName', 'x']]), EslCommandError)
  await t.rejects(l.sendEvent('BAD NAME', []), EslCommandError)
  await t.rejects(l.api('status\n\napi shutdown'), EslCommandError)
  t.equal(fs.blocks.length, before, 'nothing reached FreeSWITCH')
})

void t.test('no node connected: api rejects with EslConnectionError; sendEvent skips', async (t) => {
  const l = link([1])
  await t.rejects(l.api('status'), EslConnectionError)
  await l.sendEvent('MESSAGE_WAITING', [['MWI-Messages-Waiting', 'no']])
  await l.sendEvent('MESSAGE_WAITING', [['MWI-Messages-Waiting', 'no']], '127.0.0.1:1')
  t.equal(l.connected, false)
  await l.close()
})

void t.test('api timeout is an EslTimeoutError and does not shift later replies', async (t) => {
  const fs = await fakeFs(t)
  const l = link([fs.port])
  t.teardown(() => l.close())
  const connected = nextConnect(l)
  l.start()
  await connected
  fs.holdNextApi = true
  let n = 0
  fs.api = () => `reply ${++n}\n`
  await t.rejects(l.api('status', 50), EslTimeoutError)
  t.equal(await l.api('status'), 'reply 2\n', 'the late reply went to the timed-out call, not to this one')
})

void t.test('wrong password: logged, retried, and connects once FreeSWITCH accepts', async (t) => {
  const fs = await fakeFs(t, 'secret')
  const l = link([fs.port], 'ClueCon')
  t.teardown(() => l.close())
  const connected = nextConnect(l)
  l.start()
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (fs.commands.filter((c) => c === 'auth ClueCon').length >= 2) resolve()
      else setTimeout(check, 10)
    }
    check()
  })
  t.equal(l.connected, false, 'not connected while refused')
  ;(fs as { password: string }).password = 'ClueCon'
  await connected
  t.equal(l.connected, true, 'retried until accepted')
})

void t.test(
  'reconnects after FreeSWITCH restarts; onConnect fires again; new events subscribed',
  async (t) => {
    const fs = await fakeFs(t)
    const port = fs.port
    const l = link([port])
    t.teardown(() => l.close())
    const connects: string[] = []
    let onConnect: () => void = () => undefined
    l.onConnect((node) => {
      connects.push(node)
      onConnect()
    })
    const first = new Promise<void>((resolve) => (onConnect = resolve))
    l.start()
    await first
    await fs.close()
    const fs2 = new FakeInboundFs()
    t.teardown(() => fs2.close())
    const second = new Promise<void>((resolve) => (onConnect = resolve))
    await fs2.listen(port)
    await second
    t.same(connects, [`127.0.0.1:${port}`, `127.0.0.1:${port}`], 'onConnect after each (re)connect')
    t.equal(await l.api('status'), 'UP 0 years\n', 'commands work on the new connection')
    l.onEvent('CUSTOM', () => undefined)
    await new Promise((resolve) => setTimeout(resolve, 50))
    t.ok(fs2.commands.includes('event json CUSTOM'), 'a handler added later subscribes on live nodes')
  },
)

void t.test('several nodes: api on the first connected, sendevent to all or one', async (t) => {
  const a = await fakeFs(t)
  const b = await fakeFs(t)
  a.api = () => 'from-a'
  b.api = () => 'from-b'
  const l = link([a.port, b.port])
  t.teardown(() => l.close())
  const nodes = new Set<string>()
  const both = new Promise<void>((resolve) =>
    l.onConnect((n) => {
      nodes.add(n)
      if (nodes.size === 2) resolve()
    }),
  )
  l.start()
  await both
  t.same(l.nodeNames, [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`])
  t.equal(await l.api('status'), 'from-a', 'first node in config order')
  await l.sendEvent('MESSAGE_WAITING', [['MWI-Messages-Waiting', 'no']])
  t.ok(a.commands.includes('sendevent MESSAGE_WAITING') && b.commands.includes('sendevent MESSAGE_WAITING'))
  await l.sendEvent('NOTIFY', [['X', 'y']], `127.0.0.1:${b.port}`)
  t.ok(
    b.commands.includes('sendevent NOTIFY') && !a.commands.includes('sendevent NOTIFY'),
    'only the named node',
  )
  await a.close()
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(await l.api('status'), 'from-b', 'falls over to the next connected node')
})

void t.test('a peer that never asks for auth is dropped after connectTimeoutMs and retried', async (t) => {
  const accepted: Socket[] = []
  const silent = createServer((s) => accepted.push(s))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    accepted.forEach((s) => s.destroy())
    return new Promise<void>((resolve) => silent.close(() => resolve()))
  })
  const address = silent.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const l = new InboundLink([{ host: '127.0.0.1', port, password: 'x' }], silentLogger(), {
    initialBackoffMs: 10,
    maxBackoffMs: 20,
    connectTimeoutMs: 50,
  })
  t.teardown(() => l.close())
  l.start()
  await new Promise<void>((resolve) => {
    const check = (): void => (accepted.length >= 2 ? resolve() : void setTimeout(check, 10))
    check()
  })
  t.equal(l.connected, false)
  t.ok(accepted.length >= 2, 'reconnected after giving up on the silent peer')
})

void t.test('an api in flight when the node goes away fails with EslConnectionError', async (t) => {
  const fs = await fakeFs(t)
  const l = link([fs.port])
  t.teardown(() => l.close())
  const connected = nextConnect(l)
  l.start()
  await connected
  fs.holdNextApi = true
  const pending = l.api('status')
  await new Promise((resolve) => setTimeout(resolve, 20))
  for (const s of fs.sockets) s.destroy()
  await t.rejects(pending, EslConnectionError)
})
