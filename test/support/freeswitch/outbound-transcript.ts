/** What an outbound call's transcript holds: the daemon's commands and everything the simulator sent. */
import type { DaemonCommand } from './command-parser.js'

/** One frame the simulator wrote, for the transcript. */
export interface SentFrame {
  /** `reply`, `api`, `event`, `connect`, `linger-notice`, `disconnect-notice`. */
  readonly kind: string
  /** Event-Name for events, Reply-Text for replies. */
  readonly label: string
  readonly raw: Buffer
  readonly at: number
}

export interface OutboundTranscript {
  /** Every command the daemon sent, in order. */
  readonly commands: DaemonCommand[]
  /** Every `sendmsg execute`, in order (app, arg as sent, before `${}` expansion). */
  readonly executes: Array<{ app: string; arg: string; appUuid: string }>
  /** Every frame the simulator sent. */
  readonly frames: SentFrame[]
  /** Paths the `record` app wrote. */
  readonly recordedFiles: string[]
  exitReceived: boolean
  /** Who closed the socket: the daemon (FIN/RST from its side), FreeSWITCH (FIN after a notice) or `reset`. */
  closedBy: 'daemon' | 'freeswitch' | 'reset' | undefined
  /** Protocol misuse by the daemon that real FS would punish (e.g. a command before connect). */
  readonly violations: string[]
}
