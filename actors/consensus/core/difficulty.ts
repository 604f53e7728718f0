/**
 * ASERTi3-2d difficulty adjuster in Q16 fixed point (consensus.md §5), with Go's integer semantics:
 * int64 arithmetic wraps, `/` truncates toward zero, `>>` on int64 is arithmetic, uint64 wraps.
 * BigInt plus explicit `asIntN/asUintN` after each operation reproduces that exactly.
 */

export interface AsertParams {
  /** Frame number (or, on the global engine, rank — see DECISIONS.md) of the anchor. */
  readonly anchorFrameNumber: bigint
  /** Unix ms of the anchor's parent. */
  readonly anchorParentTime: bigint
  readonly anchorDifficulty: bigint
  /** Target spacing, ms. */
  readonly idealFrameTime: bigint
  /** ms for the difficulty to halve/double when the schedule is off by that much. */
  readonly halfLife: bigint
  /** Floor of the result (and the result when the anchor difficulty is 0). */
  readonly minimumDifficulty: bigint
}

const IDEAL_FRAME_TIME_MS = 10_000n
const HALF_LIFE_MS = 7_200_000n
const MINIMUM_DIFFICULTY = 50_000n

/** Mainnet (network 0) anchor, as wired in the reference's `node/app/wire.go`. */
export const mainnetAsertParams: AsertParams = {
  anchorFrameNumber: 244_200n,
  anchorParentTime: 1_762_862_400_000n,
  anchorDifficulty: 80_000n,
  idealFrameTime: IDEAL_FRAME_TIME_MS,
  halfLife: HALF_LIFE_MS,
  minimumDifficulty: MINIMUM_DIFFICULTY,
}

/** Every other network: anchor frame 0, same time and difficulty. */
export const otherNetworkAsertParams: AsertParams = { ...mainnetAsertParams, anchorFrameNumber: 0n }

/**
 * Devnet override: any anchor/floor, so a test devnet can run at tiny VDF difficulty. Unspecified
 * fields default to the non-mainnet parameters.
 */
export const devnetAsertParams = (overrides: Partial<AsertParams>): AsertParams => ({ ...otherNetworkAsertParams, ...overrides })

export const asertParamsForNetwork = (network: number): AsertParams => (network === 0 ? mainnetAsertParams : otherNetworkAsertParams)

const i64 = (x: bigint): bigint => BigInt.asIntN(64, x)
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x)
const U64_MAX = (1n << 64n) - 1n

/** Go's `/` on int64: truncation toward zero (BigInt `/` already truncates), with the MinInt64/-1 wrap. */
const goDivI64 = (a: bigint, b: bigint): bigint => i64(a / b)

/** Go's uint64 `>>` and `<<`: shifts of 64 or more give 0. */
const shrU64 = (x: bigint, s: bigint): bigint => (s >= 64n ? 0n : u64(x) >> s)
const shlU64 = (x: bigint, s: bigint): bigint => (s >= 64n ? 0n : u64(x << s))

/** The Q16 exponent `-(timeDelta − ideal·(frameDelta+1))·65536 / halfLife` with int64 wrapping. */
export const asertExponent = (params: AsertParams, frameNumber: bigint, timestampMs: bigint): bigint => {
  const frameDelta = i64(u64(u64(frameNumber) - u64(params.anchorFrameNumber)))
  const timeDelta = i64(i64(timestampMs) - i64(params.anchorParentTime))
  const expected = i64(params.idealFrameTime * i64(frameDelta + 1n))
  const lag = i64(timeDelta - expected)
  const scaled = i64(lag * 65_536n)
  return goDivI64(i64(-scaled), params.halfLife)
}

/** `GetNextDifficulty(n, t)` as a uint64. */
export const nextDifficulty = (params: AsertParams, frameNumber: bigint, timestampMs: bigint): bigint => {
  if (params.anchorDifficulty === 0n) return params.minimumDifficulty
  const exponent = asertExponent(params, frameNumber, timestampMs)
  const shifts = exponent >> 16n // BigInt >> on a negative value floors, as Go's arithmetic shift does
  const frac = exponent & 0xffffn // low 16 bits of the two's-complement value
  const polynomial = u64(195_766_423_245_049n * frac + 971_821_376n * frac * frac + 5_127n * frac * frac * frac + (1n << 47n))
  const factor = u64(65_536n + (polynomial >> 48n))
  let scaled = u64(params.anchorDifficulty * factor)
  if (shifts < 0n) {
    scaled = shrU64(scaled, -shifts)
  } else if (shifts > 48n) {
    return U64_MAX
  } else {
    scaled = shlU64(scaled, shifts)
  }
  scaled = scaled >> 16n
  return scaled < params.minimumDifficulty ? params.minimumDifficulty : scaled
}

/** Both reference callers cast the result to uint32 for the header, truncating values ≥ 2^32. */
export const toHeaderDifficulty = (difficulty: bigint): number => Number(BigInt.asUintN(32, difficulty))

/**
 * Global engine: the reference passes the **rank** where a frame number is expected, and the header
 * timestamp (now + 10 s). Replicated for agreement with the reference (DECISIONS.md D-DIFF-1).
 */
export const globalFrameDifficulty = (params: AsertParams, rank: bigint, headerTimestampMs: bigint): number =>
  toHeaderDifficulty(nextDifficulty(params, rank, headerTimestampMs))
