import type { MwiRequests, UpdateReason } from '../contracts/lamps.js'

export type BoxListener = (reason: UpdateReason) => void

/**
 * "Something changed in box N" for the open voicemail pages (server-sent events). Fed from the one place every
 * change already reports to: the lamp refresh that follows a new message, a save, a delete or a purge, whether it
 * came from the phone, the page, the mail worker or a forward. Listeners must not throw; they only queue a write.
 */
export class BoxEventHub {
  private readonly listeners = new Map<number, Set<BoxListener>>()

  /** Listen to one box; returns the function that stops listening. */
  subscribe(boxRowId: number, listener: BoxListener): () => void {
    let set = this.listeners.get(boxRowId)
    if (set === undefined) {
      set = new Set()
      this.listeners.set(boxRowId, set)
    }
    set.add(listener)
    return () => {
      set.delete(listener)
      if (set.size === 0) this.listeners.delete(boxRowId)
    }
  }

  publish(boxRowId: number, reason: UpdateReason): void {
    for (const listener of this.listeners.get(boxRowId) ?? []) listener(reason)
  }

  /** Listeners of every box (tests, and the daemon's stop). */
  get listening(): number {
    let n = 0
    for (const set of this.listeners.values()) n += set.size
    return n
  }

  /**
   * `lamps` that also tell this hub: what the daemon hands the flows, the page and the mail worker as their
   * MwiRequests. The page hears of a change as the refresh is asked for (the change is committed by then), not when
   * FreeSWITCH answers.
   */
  observe(lamps: MwiRequests): MwiRequests {
    return {
      refresh: (box, reason) => {
        this.publish(box.rowId, reason)
        return lamps.refresh(box, reason)
      },
    }
  }
}
