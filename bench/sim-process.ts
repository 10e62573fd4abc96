/**
 * The FreeSWITCH simulator in its own process (so its CPU is not the daemon's): an inbound ESL server (what the
 * daemon reaches as FS:8021) and, on request, N concurrent deposit calls to a target outbound listener.
 * Argv: `<timeScale> <seed>`.
 */
import { existsSync } from 'node:fs'
import { FreeswitchSimulator, type SimCall } from '../test/support/freeswitch/index.js'
import { depositScript } from './deposit-script.js'
import { serve, wallNow, type CallResult, type CapturedCommand, type Reply, type Request } from './ipc.js'

const timeScale = Number(process.argv[2] ?? '0.05')
const seed = Number(process.argv[3] ?? '1')

const sim = new FreeswitchSimulator({
  seed,
  timeScale,
  call: {
    // Relative prompt paths are files of FreeSWITCH's sound pack, which a real PBX has installed.
    promptExists: (path) => !path.startsWith('/') || existsSync(path),
    keepFrames: false,
    chunking: 'none',
  },
})
const inbound = await sim.listen({ password: 'ClueCon', users: [] })

function watchHangup(call: SimCall, result: CallResult): void {
  const previous = call.session.onChannelDown
  call.session.onChannelDown = (cause) => {
    result.hangupAt ??= wallNow()
    previous?.(cause)
  }
}

async function runCalls(request: Extract<Request, { type: 'run' }>): Promise<Reply> {
  const mwiBefore = inbound.sentEvents.filter((e) => e.name === 'MESSAGE_WAITING').length
  const started = wallNow()
  let peakConcurrent = 0
  const calls = Array.from({ length: request.calls }, async (_, i): Promise<CallResult> => {
    await new Promise((resolve) => setTimeout(resolve, (i * request.rampMs) / request.calls))
    const number = String(request.firstNumber + i)
    const box = String(1000 + (i % request.boxes))
    const result: CallResult = { number, problems: [] }
    const call = sim.call(request.target, depositScript(number, box))
    watchHangup(call, result)
    peakConcurrent = Math.max(peakConcurrent, sim.activeCalls)
    const transcript = await call.finished
    if (!call.session.hungUp) result.problems.push('channel never hung up')
    if (!transcript.exitReceived) result.problems.push('no exit from the daemon')
    if (transcript.closedBy === 'reset') result.problems.push('connection reset')
    if (!transcript.executes.some((e) => e.app === 'record')) result.problems.push('never recorded')
    result.problems.push(...transcript.violations)
    return result
  })
  const results = await Promise.all(calls)
  const mwiEvents = inbound.sentEvents.filter((e) => e.name === 'MESSAGE_WAITING').length - mwiBefore
  return { type: 'run', results, wallMs: wallNow() - started, mwiEvents, peakConcurrent }
}

async function capture(request: Extract<Request, { type: 'capture' }>): Promise<Reply> {
  const call = sim.call(request.target, depositScript(request.number, '1000'), { keepFrames: true })
  const transcript = await call.finished
  const commands: CapturedCommand[] = transcript.commands.map((c) => ({
    line: c.line,
    headers: c.headers.map(([k, v]) => [k, v] as [string, string]),
  }))
  return { type: 'capture', commands }
}

serve(async (request) => {
  switch (request.type) {
    case 'run':
      return runCalls(request)
    case 'capture':
      return capture(request)
    case 'stop':
      await sim.close()
      setImmediate(() => process.exit(0))
      return { type: 'stopped' }
    case 'mark':
    case 'stats':
      return { type: 'error', message: `sim: unexpected ${request.type}` }
  }
})
process.send?.({ type: 'ready', port: inbound.port, inboundPort: inbound.port } satisfies Reply)
