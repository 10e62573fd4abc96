import type { Mailbox } from '../store/types.js'

/**
 * Why a lamp is being refreshed, as the `Update-Reason` header of MESSAGE_WAITING says it. The first six are
 * mod_voicemail's `MWI_REASON_CHART` names (vm.c:86–107), so tools that read `Update-Reason` from the event stream
 * keep working; the last two are ours: `RESYNC` (the mwi-resync job, `voicemailctl mwi resync`) and `CONNECT` (a
 * FreeSWITCH node (re)connected). `Update-Reason` is not an `MWI-*` header, so sofia keeps it out of the NOTIFY
 * body (sp.c:570–583).
 */
export type UpdateReason = 'NEW' | 'DELETE' | 'SAVE' | 'PURGE' | 'READ' | 'UNKNOWN' | 'RESYNC' | 'CONNECT'

/** The reasons in one list, for checking a reason that arrives as text (the daemon's control channel). */
export const UPDATE_REASONS: readonly UpdateReason[] = [
  'NEW',
  'DELETE',
  'SAVE',
  'PURGE',
  'READ',
  'UNKNOWN',
  'RESYNC',
  'CONNECT',
]

/**
 * What the rest of the daemon asks of the lamps after a change to a box (a call flow, the voicemail page, the mail
 * worker, a job); `MwiService` implements it. Never rejects: a lamp that could not be pushed is logged and repaired
 * by the next change, the mwi-resync job or the next reconnect.
 */
export interface MwiRequests {
  refresh(box: Mailbox, reason: UpdateReason): Promise<void>
}
