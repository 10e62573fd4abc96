/**
 * Writes frames to a socket the way TCP may deliver them (checklist 3): frames queued in the same tick are
 * coalesced, and the result is cut at random offsets (inside headers, between headers and body, inside a UTF-8
 * sequence) into separate writes, each in its own tick so the peer sees separate reads. Seeded, so a failing split
 * is reproducible.
 */
import type { Socket } from 'node:net'
import type { Rng } from './rng.js'

export type ChunkingMode = 'none' | 'random'

export interface ChunkedWriterOptions {
  /** `none`: one write per flush (frames still coalesce). `random`: cut into 1–5 random pieces. Default random. */
  mode?: ChunkingMode
  rng: Rng
}

export class ChunkedWriter {
  private pending: Buffer[] = []
  private pieces: Buffer[] = []
  private scheduled = false
  private ending = false
  private closed = false
  private readonly mode: ChunkingMode

  constructor(
    private readonly socket: Socket,
    private readonly opts: ChunkedWriterOptions,
  ) {
    this.mode = opts.mode ?? 'random'
    socket.on('close', () => {
      this.closed = true
    })
  }

  /** Queue a frame; it is written in a later tick, in order. Ignored once ended or closed. */
  write(frame: Buffer): void {
    if (this.ending || this.closed) return
    this.pending.push(frame)
    this.schedule()
  }

  /** Flush everything queued, then half-close (FIN). */
  end(): void {
    if (this.ending) return
    this.ending = true
    this.schedule()
  }

  /** Abrupt RST with no notice: everything still queued is dropped. */
  reset(): void {
    this.closed = true
    this.pending = []
    this.pieces = []
    if (!this.socket.destroyed) this.socket.resetAndDestroy()
  }

  get isClosed(): boolean {
    return this.closed || this.socket.destroyed
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => this.flush())
  }

  private flush(): void {
    this.scheduled = false
    if (this.closed || this.socket.destroyed) return
    if (this.pieces.length === 0 && this.pending.length > 0) {
      const all = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending)
      this.pending = []
      this.pieces = this.mode === 'random' ? this.cut(all) : [all]
    }
    const piece = this.pieces.shift()
    if (piece !== undefined) this.socket.write(piece)
    if (this.pieces.length > 0 || this.pending.length > 0) this.schedule()
    else if (this.ending) this.socket.end()
  }

  private cut(all: Buffer): Buffer[] {
    const n = this.opts.rng.int(1, Math.min(5, all.length))
    if (n === 1) return [all]
    const cuts = new Set<number>()
    for (let i = 1; i < n; i++) cuts.add(this.opts.rng.int(1, all.length - 1))
    const sorted = [...cuts].sort((a, b) => a - b)
    const out: Buffer[] = []
    let prev = 0
    for (const c of sorted) {
      out.push(all.subarray(prev, c))
      prev = c
    }
    out.push(all.subarray(prev))
    return out
  }
}
