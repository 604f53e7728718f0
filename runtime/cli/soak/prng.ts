// The soak's one source of randomness: mulberry32, a 32-bit seeded PRNG. The same seed gives the same
// fault schedule on every machine (Math.random could not be replayed).

export interface Prng {
  /** uniform in [0, 1) */
  readonly next: () => number
  /** uniform integer in [min, max] */
  readonly int: (min: number, max: number) => number
  /** one of the weighted choices */
  readonly pick: <A>(choices: ReadonlyArray<readonly [A, number]>) => A
}

export const makePrng = (seed: number): Prng => {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  const pick = <A>(choices: ReadonlyArray<readonly [A, number]>): A => {
    const total = choices.reduce((sum, [, w]) => sum + w, 0)
    let r = next() * total
    for (const [choice, weight] of choices) {
      r -= weight
      if (r < 0) return choice
    }
    const last = choices[choices.length - 1]
    if (last === undefined) throw new RangeError("pick from no choices")
    return last[0]
  }
  return { next, int, pick }
}
