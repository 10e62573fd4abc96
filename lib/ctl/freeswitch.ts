import type { FreeswitchLink, FsEvent } from '../esl/link.js'
import { InboundLink } from '../esl/inbound.js'
import type { CtlContext } from './context.js'

/** An inbound connection voicemailctl opened for one command; `close()` it when done. */
export interface CtlLink {
  /** The link for MwiService: api and sendEvent only (see `quiet`). */
  link: FreeswitchLink
  /** `host:port` of the nodes that connected. */
  connected: string[]
  /** `host:port` of the nodes that did not connect in time. */
  unreachable: string[]
  close(): Promise<void>
}

/**
 * Connect to the configured FreeSWITCH nodes, waiting until all are up or `timeoutMs` passed. Resolves undefined
 * (connection closed) when none connected. The daemon is not involved: voicemailctl speaks to FreeSWITCH itself.
 */
export async function connectFreeswitch(ctx: CtlContext, timeoutMs: number): Promise<CtlLink | undefined> {
  const inbound = new InboundLink(ctx.config.freeswitch, ctx.log, {
    connectTimeoutMs: timeoutMs,
    initialBackoffMs: 250,
  })
  const names = inbound.nodeNames
  const up = new Set<string>()
  let done!: () => void
  const all = new Promise<void>((resolve) => (done = resolve))
  inbound.onConnect((node) => {
    up.add(node)
    if (up.size === names.length) done()
  })
  inbound.start()
  let timer: NodeJS.Timeout | undefined
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))])
  clearTimeout(timer)
  if (up.size === 0) {
    await inbound.close()
    return undefined
  }
  return {
    link: quiet(inbound),
    connected: [...up],
    unreachable: names.filter((n) => !up.has(n)),
    close: () => inbound.close(),
  }
}

/**
 * The link as MwiService sees it, minus events and connect notifications: a short-lived tool must not answer
 * phones' MESSAGE_QUERY (that is the daemon's job) nor re-announce on connect by itself; it announces exactly once,
 * when told to.
 */
function quiet(link: FreeswitchLink): FreeswitchLink {
  return {
    get connected() {
      return link.connected
    },
    api: (command, timeoutMs) => link.api(command, timeoutMs),
    sendEvent: (name, headers, node) => link.sendEvent(name, headers, node),
    onEvent: (_name: string, _handler: (event: FsEvent, node: string) => void) => undefined,
    onConnect: () => undefined,
  }
}
