/**
 * The daemon's inbound connection(s) to FreeSWITCH (port 8021): `api` commands, `sendevent` for MWI, and the
 * MESSAGE_QUERY events phones trigger. Implemented by `InboundLink` in `inbound.ts`; MWI and the flows see only
 * this interface.
 *
 * @packageDocumentation
 */

/** An event FreeSWITCH sent, headers URL-decoded (a malformed `%` sequence is kept literally, never thrown). */
export interface FsEvent {
  readonly name: string
  readonly headers: ReadonlyMap<string, string>
  readonly body?: string
}

export interface FreeswitchLink {
  /** True while at least one node is connected and authenticated. */
  readonly connected: boolean
  /**
   * Run `api <command>` on the first connected node and return the response body (`+OK …`, `-ERR …`, `true`).
   * Throws EslConnectionError when no node is connected, EslTimeoutError after `timeoutMs` (default 5000).
   */
  api(command: string, timeoutMs?: number): Promise<string>
  /**
   * `sendevent <name>` with the given headers, raw (FreeSWITCH takes sendevent values unencoded; a value with a
   * CR or LF is refused with EslCommandError before anything is written). Goes to `node` when given, else to every
   * connected node. Resolves when FreeSWITCH acknowledged (`+OK <uuid>`) on each; nodes that are down are skipped.
   */
  sendEvent(name: string, headers: ReadonlyArray<readonly [string, string]>, node?: string): Promise<void>
  /** Called for every event of that name from any node; `node` is `host:port`. */
  onEvent(name: string, handler: (event: FsEvent, node: string) => void): void
  /** Called after each successful (re)connection + auth + subscription of a node. */
  onConnect(handler: (node: string) => void): void
}
