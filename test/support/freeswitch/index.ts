/**
 * An honest FreeSWITCH simulator for voicemaild's tests and benchmark, written from the protocol brief
 * (esl-protocol.md, outside this repository) and the real captures (test/fixtures/freeswitch-esl/), never from
 * modesl. Anything it does that real FreeSWITCH does not is a bug; what it does not model is listed in
 * docs/simulator.md.
 *
 * @example
 * ```ts
 * import { FreeswitchSimulator } from '../support/freeswitch/index.js'
 *
 * const sim = new FreeswitchSimulator({ seed: 7 })
 * t.teardown(() => sim.close())
 * const fs = await sim.listen({ password: 'ClueCon', users: ['1000@pbx.test'] }) // inbound, port 0
 * // … start the daemon with fs.host / fs.port and its outbound listener on daemonPort …
 * const call = sim.call({ host: '127.0.0.1', port: daemonPort }, {
 *   callerIdNumber: '1001',
 *   variables: { vm_action: 'deposit', vm_mailbox: '1000', domain_name: 'pbx.test' },
 *   actions: [{ when: { onPlayback: /greeting/, afterMs: 1200 }, press: '*' }],
 *   entries: ['4821#'],
 *   records: [{ speakMs: 5000, then: { press: '#' } }],
 * })
 * const transcript = await call.finished
 * t.same(transcript.executes.map((e) => e.app), ['answer', 'playback', 'record'])
 * t.ok(transcript.exitReceived)
 * ```
 */
import { FsNode, type NodeOptions } from './node.js'
import { SimCall, type CallOptions, type CallTarget } from './sim-call.js'
import type { CallerScript } from './caller-script.js'
import { InboundServer, type InboundOptions } from './inbound-server.js'
import { Registrar, type RegistrarOptions } from './registrar.js'

export { SimCall, type CallOptions, type CallTarget } from './sim-call.js'
export type { CallerScript, CallerAction, RecordBehaviour, Trigger } from './caller-script.js'
export type { OutboundTranscript, SentFrame } from './outbound-call.js'
export type { DaemonCommand } from './command-parser.js'
export { CommandParser } from './command-parser.js'
export { fsUrlEncode, fsUrlDecode } from './urlencode.js'
export * from './frames.js'
export { buildWav, parseWav, wavHeader } from './wav.js'
export { FsNode, type NodeOptions } from './node.js'
export { InboundServer, type InboundOptions, type SentEvent } from './inbound-server.js'
export {
  Registrar,
  type MwiNotify,
  type Registration,
  type Subscription,
  type RegistrarOptions,
} from './registrar.js'

export interface SimulatorOptions extends NodeOptions {
  /** Defaults for every call (each `call()` may override them). */
  call?: CallOptions
  /** The sofia profile of this node (name, domains). */
  registrar?: RegistrarOptions
}

/**
 * One simulated FreeSWITCH node: outbound calls to the daemon (`call`) and inbound ESL servers (`listen`).
 * Deterministic for a given `seed` (chunking, uuids, linger-notice placement, record overrun).
 */
export class FreeswitchSimulator {
  readonly node: FsNode
  private readonly calls = new Set<SimCall>()

  /** This node's fake sofia registrar (shared by all its inbound servers). */
  readonly registrar: Registrar
  private readonly servers: InboundServer[] = []

  constructor(private readonly opts: SimulatorOptions = {}) {
    this.node = new FsNode(opts)
    this.registrar = new Registrar(this.node, opts.registrar)
  }

  /**
   * Start an inbound event socket (what the daemon reaches as FS:8021) on 127.0.0.1:0 by default.
   * Resolves once listening; `server.port` is the bound port.
   */
  async listen(opts: InboundOptions = {}): Promise<InboundServer> {
    const server = new InboundServer(this.node, this.registrar, opts)
    await server.start()
    this.servers.push(server)
    return server
  }

  /**
   * Start a call: FS's `socket` app dials `target` (the daemon's outbound listener) and waits for `connect`.
   * Returns at once; await `call.connected` / `call.finished`.
   */
  call(target: CallTarget, script: CallerScript = {}, opts: CallOptions = {}): SimCall {
    const c = new SimCall(this.node, target, script, { api: { node: this.node }, ...this.opts.call, ...opts })
    this.calls.add(c)
    void c.finished.then(() => this.calls.delete(c))
    return c
  }

  /** Calls still in progress. */
  get activeCalls(): number {
    return this.calls.size
  }

  /** Reset every live call's socket and stop every inbound server. Resolves when all are closed. */
  async close(): Promise<void> {
    for (const c of this.calls) c.reset()
    this.node.stopTimers()
    await Promise.all(this.servers.map((s) => s.stop()))
  }
}
