/**
 * One simulated inbound call handed to the daemon over an outbound socket: channel + session + connection +
 * scripted caller, with a promise for its end.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs'
import { Channel } from './channel.js'
import { CallSession, type SessionOptions } from './call-session.js'
import { compileScript, type CallerScript } from './caller-script.js'
import type { FsNode } from './node.js'
import { OutboundConnection, type OutboundOptions, type OutboundTranscript } from './outbound-call.js'
import { parseWav } from './wav.js'

export interface CallTarget {
  host: string
  port: number
}

/** Per-call knobs; every field has a default (see SimulatorOptions). */
export interface CallOptions extends Partial<OutboundOptions>, Partial<SessionOptions> {
  /** Simulated length of a prompt that is not a readable WAV. Default 2000. */
  defaultPromptMs?: number
}

/** Default prompt length: a real WAV's own length if the path is one, else `dflt`. */
export function wavLengthOr(dflt: number): (path: string) => number {
  const cache = new Map<string, number>()
  return (path) => {
    let v = cache.get(path)
    if (v !== undefined) return v
    v = dflt
    if (path.startsWith('/') && existsSync(path)) {
      try {
        const fd = openSync(path, 'r')
        const head = Buffer.alloc(44)
        readSync(fd, head, 0, 44, 0)
        closeSync(fd)
        const info = parseWav(head)
        if (info !== undefined && info.durationMs > 0) v = info.durationMs
      } catch {
        // unreadable: keep the default
      }
    }
    cache.set(path, v)
    return v
  }
}

export class SimCall {
  readonly channel: Channel
  readonly session: CallSession
  readonly connection: OutboundConnection
  /** Resolves when the TCP connection is up (FS then waits for `connect`). Rejects if the daemon is unreachable. */
  readonly connected: Promise<void>
  /** Resolves with the transcript once the socket is closed and the channel is gone. */
  readonly finished: Promise<OutboundTranscript>

  constructor(node: FsNode, target: CallTarget, script: CallerScript, opts: CallOptions) {
    const rng = node.forkRng()
    const uuid = script.uuid ?? rng.uuid()
    const number = script.callerIdNumber ?? '1001'
    this.channel = new Channel(node, {
      uuid,
      callerIdName: script.callerIdName ?? 'Alice',
      callerIdNumber: number,
      destinationNumber: script.destinationNumber ?? '4000',
      channelName: script.channelName ?? `sofia/internal/${number}@pbx.test`,
      context: script.context ?? 'default',
      ...(script.readCodec !== undefined ? { readCodec: script.readCodec } : {}),
      variables: [
        ...Object.entries(script.variables ?? {}),
        ['current_application_data', `${target.host}:${target.port} async full`],
        ['current_application', 'socket'],
        ['socket_host', target.host],
      ],
    })
    const compiled = compileScript(script, () => this.session, { reset: () => this.connection.reset() })
    const promptMs = opts.promptMs ?? wavLengthOr(opts.defaultPromptMs ?? 2000)
    this.session = new CallSession(
      node,
      this.channel,
      {
        promptExists: opts.promptExists ?? ((p) => existsSync(p)),
        promptMs,
        bridgeFailCause: opts.bridgeFailCause ?? 'USER_BUSY',
      },
      compiled.hooks,
      rng,
    )
    this.connection = new OutboundConnection(node, this.session, rng.fork(), {
      connectTimeoutMs: opts.connectTimeoutMs ?? 25_000,
      control: opts.control ?? 'full',
      chunking: opts.chunking ?? 'random',
      rawPercent: opts.rawPercent ?? false,
      keepFrames: opts.keepFrames ?? true,
      api: opts.api ?? { node },
    })
    this.session.onChannelDown = () => this.connection.channelDown()
    this.connected = this.connection.start(target.host, target.port).then(() => compiled.start(node.simNow()))
    const sessionDone = new Promise<void>((r) => this.session.whenFinished(r))
    this.finished = Promise.all([this.connection.closed, sessionDone]).then(() => this.connection.transcript)
    // An unreachable daemon: the call ends at once.
    this.connected.catch(() => this.session.hangup('DESTINATION_OUT_OF_ORDER'))
  }

  get uuid(): string {
    return this.channel.uuid
  }

  get transcript(): OutboundTranscript {
    return this.connection.transcript
  }

  /** The caller hangs up now. */
  hangup(cause = 'NORMAL_CLEARING'): void {
    this.session.hangup(cause)
  }

  /** The caller presses digits now. */
  press(digits: string): void {
    this.session.queueDtmf(digits)
  }

  /** FS drops the TCP connection abruptly (RST, no notice). */
  reset(): void {
    this.connection.reset()
  }
}
