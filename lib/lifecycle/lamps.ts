import type { MwiRequests, UpdateReason } from '../contracts/lamps.js'
import type { Logger } from '../log.js'
import type { Mailbox } from '../store/types.js'

/**
 * Ask for the lamps of `box` to be pushed now, after a change that is already committed (SPEC §4.7: after every
 * change, not at hang-up as mod_voicemail does). Never rejects: the change is safe whatever the lamp does, and the
 * next change, the mwi-resync job or the next reconnect repairs a lamp that could not be pushed.
 */
export async function refreshLamp(
  deps: { mwi: MwiRequests },
  box: Mailbox,
  reason: UpdateReason,
  log: Logger,
): Promise<void> {
  await deps.mwi
    .refresh(box, reason)
    .catch((err: unknown) => log.warn({ err, reason }, 'lamp refresh failed'))
}
