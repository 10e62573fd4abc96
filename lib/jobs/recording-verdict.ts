import type { NodeChannels } from '../esl/channel-probe.js'

/**
 * How long a recording's file must have gone unwritten before it counts as finished when no FreeSWITCH node can
 * say (the node is down or unreachable, restarted since, or not in the daemon's `freeswitch:` list). FreeSWITCH
 * writes a recording in 64 KiB blocks, one every 4.1 s of 8 kHz 16-bit audio (measured on FreeSWITCH 1.11: the
 * size steps 44 → 65,580 B after 4.18 s), so a file being recorded never goes more than about 4 s without a
 * write; 15 s is more than three blocks.
 */
export const QUIET_MS = 15_000

/** Why a recording counts as finished. */
export type FinishedBecause =
  /** The node that ran the call says the channel is gone: the caller hung up, FreeSWITCH closed the file. */
  | 'channel-gone'
  /** The channel is up but runs something else now: its `record` ended (and closed the file). */
  | 'record-ended'
  /** No node could say; the file has not been written to for QUIET_MS. */
  | 'file-quiet'

export type RecordingVerdict =
  /** A node's channel runs `record` into this very file right now. */
  | { state: 'recording'; node: string }
  | { state: 'finished'; because: FinishedBecause }
  /** No node could say, and the file was written to less than QUIET_MS ago. */
  | { state: 'unsure'; quietMs: number }

export interface RecordingFacts {
  /** The file as FreeSWITCH was told to record it (absolute). */
  path: string
  callUuid: string
  /** The Core-UUID of the node that ran the call, when known. */
  coreUuid?: string
  /** What the nodes that answered said (`ChannelProbe.look`). */
  nodes: readonly NodeChannels[]
  /** The file's last modification (epoch ms). */
  lastWriteMs: number
  /** Now (the injected clock). */
  now: number
}

/**
 * Is FreeSWITCH still writing this interrupted recording (SPEC §8 "nothing lost")? FreeSWITCH's answer first: a
 * channel recording the file means wait; the channel up but past its `record`, or gone according to the node that
 * ran it, means finished. Only when no node can tell (the one that ran it does not answer or has restarted) does
 * the file decide, by not growing for QUIET_MS. Pure: the caller brings the facts.
 */
export function judgeRecording(facts: RecordingFacts): RecordingVerdict {
  let channelUp = false
  for (const view of facts.nodes) {
    if (!view.channels.has(facts.callUuid)) continue
    const running = view.channels.get(facts.callUuid)
    if (running === undefined) continue
    if (running === facts.path || running.startsWith(`${facts.path} `)) {
      return { state: 'recording', node: view.node }
    }
    channelUp = true
  }
  if (channelUp) return { state: 'finished', because: 'record-ended' }
  const home = facts.nodes.find((v) => v.coreUuid === facts.coreUuid && v.channels.has(facts.callUuid))
  if (facts.coreUuid !== undefined && home !== undefined)
    return { state: 'finished', because: 'channel-gone' }
  const quietMs = Math.max(0, facts.now - facts.lastWriteMs)
  if (quietMs >= QUIET_MS) return { state: 'finished', because: 'file-quiet' }
  return { state: 'unsure', quietMs }
}
