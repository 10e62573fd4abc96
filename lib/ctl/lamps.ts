import type { UpdateReason } from '../contracts/lamps.js'
import type { MwiService } from '../mwi/mwi-service.js'
import type { Mailbox } from '../store/types.js'
import type { CtlContext } from './context.js'
import { askDaemon } from './daemon.js'
import { connectFreeswitch } from './freeswitch.js'
import { ctlMwi } from './mwi.js'

/** How long a command that changed a box waits for FreeSWITCH before leaving the lamp to the daemon. */
export const LAMP_CONNECT_TIMEOUT_MS = 2000

const ALONE = 'voicemailctl pushes the lamps over its own FreeSWITCH connection'

/**
 * Best effort: push the lamps of `boxes` now. The running daemon does it (over its FreeSWITCH connection, and its
 * open voicemail pages hear of it); without one, voicemailctl does over a short-lived connection of its own, and
 * when FreeSWITCH does not answer in time a note says the daemon's next mwi-resync will. Resolves true when sent.
 * Rejects only when the daemon is there and refused the request (CtlError).
 */
export async function refreshLamps(
  ctx: CtlContext,
  boxes: readonly Mailbox[],
  reason: UpdateReason,
): Promise<boolean> {
  if (boxes.length === 0) return true
  const lampBoxes = boxes.map(({ pinHash: _pinHash, ...box }) => box)
  if ((await askDaemon(ctx, { op: 'lamps.refresh', boxes: lampBoxes, reason }, ALONE)) !== undefined)
    return true
  return withLamps(ctx, async (mwi) => {
    // One at a time: the service coalesces pushes per box, so a box given twice (before and after a change of
    // its accounts) must not replace the first push by the second.
    for (const box of boxes) await mwi.refresh(box, reason)
  })
}

/** Best effort, like `refreshLamps`: announce every enabled box's lamps (a domain's mode or unified box changed). */
export async function refreshAllLamps(ctx: CtlContext, reason: UpdateReason): Promise<boolean> {
  if ((await askDaemon(ctx, { op: 'lamps.announce', reason }, ALONE)) !== undefined) return true
  return withLamps(ctx, async (mwi) => {
    await mwi.announceAll(reason)
  })
}

async function withLamps(ctx: CtlContext, push: (mwi: MwiService) => Promise<void>): Promise<boolean> {
  const link = await connectFreeswitch(ctx, LAMP_CONNECT_TIMEOUT_MS).catch(() => undefined)
  if (link === undefined) {
    ctx.out.note("FreeSWITCH not reachable: the lamp follows at the daemon's next mwi-resync")
    return false
  }
  try {
    await push(await ctlMwi(ctx, link))
    return true
  } finally {
    await link.close()
  }
}
