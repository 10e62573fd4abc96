import type { NodeApiResult } from './inbound.js'

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

/** What one FreeSWITCH node said about the channels it was asked about. */
export interface NodeChannels {
  /** `host:port` of the node. */
  node: string
  /** Its `Core-UUID` (`global_getvar core_uuid`), new at each FreeSWITCH start. */
  coreUuid: string
  /**
   * Per channel asked about: the data of the application it runs now (`current_application_data`, e.g.
   * `<path> 300 200 3` during `record`; `''` when none), or undefined when the node has no such channel.
   */
  channels: ReadonlyMap<string, string | undefined>
}

/** Asks FreeSWITCH which channels are still up and what they run. */
export interface ChannelProbe {
  /**
   * Ask every configured node about `callUuids`. Resolves with the nodes that answered every question; a node that
   * is down, timed out or gave an unexpected reply is left out (its silence proves nothing). Never rejects.
   */
  look(callUuids: readonly string[]): Promise<NodeChannels[]>
}

/** The inbound link as the probe uses it (`InboundLink` implements it). */
export interface EachNodeApi {
  apiEach(command: string, timeoutMs?: number): Promise<NodeApiResult[]>
}

/**
 * A ChannelProbe over the inbound link. Two facts make the answer reliable (checked on FreeSWITCH 1.11): a running
 * application's data is in the channel variable `current_application_data` (set when the application starts, so
 * during `record` it is the recording's path and arguments), and a channel that is gone answers
 * `-ERR No such channel!`. The Core-UUID tells which node a call ran on, so with several nodes the right one's
 * "no such channel" is enough, and a node restarted since (a new Core-UUID) is never taken for it.
 */
export function freeswitchChannelProbe(link: EachNodeApi, timeoutMs = 3000): ChannelProbe {
  return {
    async look(callUuids) {
      const views = new Map<
        string,
        { node: string; coreUuid: string; channels: Map<string, string | undefined> }
      >()
      for (const reply of await link.apiEach('global_getvar core_uuid', timeoutMs)) {
        const core = 'body' in reply ? reply.body.trim() : ''
        if (UUID.test(core)) views.set(reply.node, { node: reply.node, coreUuid: core, channels: new Map() })
      }
      // Only uuids as FreeSWITCH makes them reach a command line (they come from our own database, but still).
      for (const uuid of new Set(callUuids.filter((u) => UUID.test(u)))) {
        if (views.size === 0) break
        for (const reply of await link.apiEach(`uuid_getvar ${uuid} current_application_data`, timeoutMs)) {
          const view = views.get(reply.node)
          if (view === undefined) continue
          const body = 'body' in reply ? reply.body.trim() : undefined
          if (body === undefined || (body.startsWith('-ERR') && !/^-ERR No such channel/i.test(body))) {
            views.delete(reply.node)
          } else if (body.startsWith('-ERR')) {
            view.channels.set(uuid, undefined)
          } else {
            view.channels.set(uuid, body === '_undef_' ? '' : body)
          }
        }
      }
      return [...views.values()]
    },
  }
}
