/**
 * Seedable pseudo-random numbers for the simulator, so a run is reproducible from its seed (chunk splits, linger
 * notice placement, record overrun, uuids).
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number
  /** A v4-shaped uuid built from this generator. */
  uuid(): string
  /** A new independent generator seeded from this one. */
  fork(): Rng
}

/** mulberry32: tiny, fast and good enough for test randomness. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  const hex = (n: number): string => {
    let s = ''
    for (let i = 0; i < n; i++) s += Math.floor(next() * 16).toString(16)
    return s
  }
  const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[int(0, 3)] ?? '8'}${hex(3)}-${hex(12)}`
  const fork = (): Rng => createRng(Math.floor(next() * 2 ** 32))
  return { next, int, uuid, fork }
}
