import type { FreeswitchNode } from '../config/types.js'
import type { Logger } from '../log.js'
import { EslCommandError, EslConnectionError } from './errors.js'
import { InboundNode, systemTimers, type Timers } from './inbound-node.js'
import type { FreeswitchLink, FsEvent } from './link.js'

/** One node's answer to `apiEach`: its response body, or why it gave none. */
export type NodeApiResult = { node: string; body: string } | { node: string; error: unknown }

export interface InboundLinkOptions {
  /** Default 500 ms, doubling up to `maxBackoffMs` (default 30 s), ±25 % jitter. */
  initialBackoffMs?: number
  maxBackoffMs?: number
  /** Connect + auth + subscribe budget per attempt. Default 10 s. */
  connectTimeoutMs?: number
  /** `sendEvent` acknowledgement timeout per node. Default 5 s. */
  sendEventTimeoutMs?: number
  random?: () => number
  timers?: Timers
}

/**
 * `FreeswitchLink` over one modesl inbound Connection per configured node (config `freeswitch`). `api` goes to
 * the first connected node in config order; `sendEvent` to one node or all connected ones; events and
 * (re)connects of every node reach the registered handlers with the node's `host:port`.
 */
export class InboundLink implements FreeswitchLink {
  private readonly nodes: InboundNode[]
  private readonly eventHandlers = new Map<string, Set<(event: FsEvent, node: string) => void>>()
  private readonly connectHandlers = new Set<(node: string) => void>()
  private readonly sendEventTimeoutMs: number

  constructor(
    nodes: readonly FreeswitchNode[],
    private readonly log: Logger,
    options: InboundLinkOptions = {},
  ) {
    this.sendEventTimeoutMs = options.sendEventTimeoutMs ?? 5000
    const nodeOptions = {
      initialBackoffMs: options.initialBackoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      random: options.random ?? Math.random,
      timers: options.timers ?? systemTimers,
      subscriptions: () => [...this.eventHandlers.keys()],
      onReady: (node: string) => this.fireConnect(node),
      onEvent: (event: FsEvent, node: string) => this.fireEvent(event, node),
    }
    this.nodes = nodes.map((node) => new InboundNode(node, log, nodeOptions))
  }

  /** `host:port` of every configured node, in config order. */
  get nodeNames(): string[] {
    return this.nodes.map((n) => n.name)
  }

  /** Each configured node and whether it is connected and ready now (health check, metrics). */
  get nodeStates(): Array<{ node: string; connected: boolean }> {
    return this.nodes.map((n) => ({ node: n.name, connected: n.ready }))
  }

  get connected(): boolean {
    return this.nodes.some((n) => n.ready)
  }

  /** Connect every node (and keep reconnecting until `close`). */
  start(): void {
    for (const node of this.nodes) node.start()
  }

  /** Stop reconnecting and close every connection. Never rejects. */
  async close(): Promise<void> {
    await Promise.allSettled(this.nodes.map((n) => n.close()))
  }

  api(command: string, timeoutMs = 5000): Promise<string> {
    if (/[\r\n]/.test(command)) return Promise.reject(new EslCommandError('api', 'command contains CR/LF'))
    const node = this.nodes.find((n) => n.ready)
    if (node === undefined) return Promise.reject(new EslConnectionError('no FreeSWITCH node is connected'))
    return node.api(command, timeoutMs)
  }

  /**
   * `api <command>` on every configured node at once (questions whose answer depends on the node, such as "is
   * this channel yours?"). Resolves with one entry per node in config order: its response body, or the error it
   * gave (not connected, timeout). Never rejects.
   */
  async apiEach(command: string, timeoutMs = 5000): Promise<NodeApiResult[]> {
    if (/[\r\n]/.test(command)) {
      const error = new EslCommandError('api', 'command contains CR/LF')
      return this.nodes.map((n) => ({ node: n.name, error }))
    }
    return Promise.all(
      this.nodes.map(async (n): Promise<NodeApiResult> => {
        if (!n.ready) {
          return { node: n.name, error: new EslConnectionError(`FreeSWITCH ${n.name} is not connected`) }
        }
        try {
          return { node: n.name, body: await n.api(command, timeoutMs) }
        } catch (error) {
          return { node: n.name, error }
        }
      }),
    )
  }

  /**
   * `sendevent <name>` with raw header values (FreeSWITCH does not URL-decode what it reads, §0/§2). A CR or LF
   * anywhere would end the frame early and let a value inject commands: refused before anything is written.
   */
  async sendEvent(
    name: string,
    headers: ReadonlyArray<readonly [string, string]>,
    node?: string,
  ): Promise<void> {
    const parts = [name, ...headers.flat()]
    if (parts.some((p) => /[\r\n]/.test(p))) throw new EslCommandError('sendevent', 'header contains CR/LF')
    if (!/^[A-Za-z0-9_:-]+$/.test(name)) throw new EslCommandError('sendevent', 'invalid event name')
    if (headers.some(([k]) => !/^[A-Za-z0-9_-]+$/.test(k))) {
      throw new EslCommandError('sendevent', 'invalid header name')
    }
    const frame = [`sendevent ${name}`, ...headers.map(([k, v]) => `${k}: ${v}`)].join('\n')
    const targets = this.nodes.filter((n) => n.ready && (node === undefined || n.name === node))
    if (node !== undefined && targets.length === 0) {
      this.log.debug({ node, event: name }, 'sendevent skipped: node not connected')
      return
    }
    await Promise.all(targets.map((n) => n.command(frame, this.sendEventTimeoutMs)))
  }

  onEvent(name: string, handler: (event: FsEvent, node: string) => void): void {
    let set = this.eventHandlers.get(name)
    if (set === undefined) {
      this.eventHandlers.set(name, (set = new Set()))
      // Nodes already connected subscribe now; later (re)connects include it from the start.
      for (const n of this.nodes.filter((x) => x.ready)) {
        n.command(`event json ${name}`, this.sendEventTimeoutMs).catch((err: unknown) =>
          this.log.warn({ node: n.name, err, event: name }, 'event subscription failed'),
        )
      }
    }
    set.add(handler)
  }

  onConnect(handler: (node: string) => void): void {
    this.connectHandlers.add(handler)
  }

  private fireConnect(node: string): void {
    for (const handler of this.connectHandlers) {
      try {
        handler(node)
      } catch (err) {
        this.log.error({ err, node }, 'onConnect handler failed')
      }
    }
  }

  private fireEvent(event: FsEvent, node: string): void {
    for (const handler of this.eventHandlers.get(event.name) ?? []) {
      try {
        handler(event, node)
      } catch (err) {
        this.log.error({ err, node, event: event.name }, 'event handler failed')
      }
    }
  }
}
