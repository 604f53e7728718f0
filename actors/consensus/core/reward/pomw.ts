// Proof-of-meaningful-work issuance (consensus.md §9): the basis for a difficulty and world size, the
// per-allocation reward (`OptimizedProofOfMeaningfulWork…Calculate`, truncating each allocation before
// summing), the baseline fee (execution.md §6.2) and the per-shard-frame share a participant in ring r
// earns. Pure bigint/decimal arithmetic at the reference's rounding points (./decimal.ts).
import { Data, Either } from "effect"
import { type Dec, dec, div, fromRatio, isZero, mul, powWithPrecision, toBigInt } from "./decimal.ts"

/** 1 QUIL in raw units (`0x1DCD65000`); the `units` argument is always this. */
export const QUIL_UNITS = 8_000_000_000n
/** 2^50: the PoMW divisor 1,048,576 scaled by the bytes of a GiB, inverted ahead of time. */
const NORMALIZER = 1_125_899_906_842_624n
/** `PowWithPrecision` precision of the basis and of √shards. */
const POW_PRECISION = 53
/** `ringGroupSize`: a ring's share is split eight ways however full the ring is. */
const RING_GROUP_SIZE = 8n
/**
 * A zero world size divides by zero in the reference (a Go panic in `Div`, execution.md §11.3 item 38).
 * quilbun treats W = 0 as this minimum: one byte (D-REWARD-3).
 */
const MIN_WORLD_SIZE = 1n

const U64 = (x: bigint): bigint => BigInt.asUintN(64, x)
const guardedWorld = (worldSize: bigint): bigint => (worldSize === 0n ? MIN_WORLD_SIZE : worldSize)

export class RewardError extends Data.TaggedError("RewardError")<{
  readonly reason: "shards-zero" | "decimal"
  readonly message: string
}> {}

/** Generation n: how many times the difficulty divides by 10,000 (integer) before it drops below it. */
export const generation = (difficulty: bigint): number => {
  let n = 0
  for (let d = U64(difficulty); d >= 10_000n; d /= 10_000n) n++
  return n
}

// The basis depends on (generation, W, units) only and costs a Halley iteration at 65 digits: every
// shard frame of a global frame asks for the same few, so the recent ones are kept.
const BASIS_CACHE_LIMIT = 256
const basisCache = new Map<string, bigint>()

/** `PomwBasis(d, W, units)` = BigInt((2^50 / W) ^ (1/2^n) · units); 0 where the reference's pow fails. */
export const pomwBasis = (difficulty: bigint, worldSize: bigint, units: bigint): bigint => {
  const key = `${generation(difficulty)}:${U64(worldSize)}:${U64(units)}`
  const cached = basisCache.get(key)
  if (cached !== undefined) return cached
  const basis = computeBasis(difficulty, worldSize, units)
  if (basisCache.size >= BASIS_CACHE_LIMIT) basisCache.delete(basisCache.keys().next().value ?? key)
  basisCache.set(key, basis)
  return basis
}

const computeBasis = (difficulty: bigint, worldSize: bigint, units: bigint): bigint => {
  const normalized = div(dec(NORMALIZER), dec(guardedWorld(U64(worldSize))))
  const exponent = div(dec(1n), dec(1n << BigInt(generation(difficulty))))
  const result = Either.flatMap(Either.all([normalized, exponent]), ([base, e]) => powWithPrecision(base, e, POW_PRECISION))
  return Either.match(result, { onLeft: () => 0n, onRight: (r) => toBigInt(mul(r, dec(U64(units)))) })
}

export interface RewardAllocation {
  /** uint8 in the reference: Ring + 1 wraps to 0 at 255. */
  readonly ring: number
  /** Shards of the allocation (the shard's leaf count, or 1). */
  readonly shards: bigint
  /** Bytes of the shard's state. */
  readonly stateSize: bigint
}

/** The reference's int64 `1 << (Ring+1)` by repeated shifts: 0 (skip) from ring 63, negative at ring 62, 1 at ring 255. */
export const ringDivisor = (ring: number): bigint => BigInt.asIntN(64, 1n << BigInt((ring + 1) & 0xff))

// √shards at 53 digits: the reference caches it per shard count; so does this (values are immutable).
const sqrtCache = new Map<bigint, Either.Either<Dec, RewardError>>()
const HALF = fromRatio(1n, 2n, POW_PRECISION)
const sqrtShards = (shards: bigint): Either.Either<Dec, RewardError> => {
  const cached = sqrtCache.get(shards)
  if (cached !== undefined) return cached
  const computed = Either.flatMap(HALF, (half) => powWithPrecision(dec(shards), half, POW_PRECISION)).pipe(
    Either.mapLeft((e) => new RewardError({ reason: "decimal", message: e.message })),
    Either.flatMap((root) => (isZero(root) ? Either.left(new RewardError({ reason: "shards-zero", message: "divisor is zero" })) : Either.right(root))),
  )
  sqrtCache.set(shards, computed)
  return computed
}

/** One allocation's reward: BigInt(((S/W)·basis / 2^(ring+1)) / √shards), every division a 16-place Div. */
const allocationReward = (basis: bigint, worldSize: bigint, allocation: RewardAllocation): Either.Either<bigint, RewardError> => {
  const divisor = ringDivisor(allocation.ring)
  if (divisor === 0n) return Either.right(0n)
  return Either.gen(function* () {
    const root = yield* sqrtShards(U64(allocation.shards))
    const asReward = (e: Either.Either<Dec, { readonly message: string }>) =>
      Either.mapLeft(e, (x) => new RewardError({ reason: "decimal", message: x.message }))
    const factor = yield* asReward(div(dec(U64(allocation.stateSize)), dec(worldSize)))
    const scaled = yield* asReward(div(mul(factor, dec(basis)), dec(divisor)))
    return toBigInt(yield* asReward(div(scaled, root)))
  })
}

/**
 * `Calculate(d, W, units, provers)`: per prover, the sum of its allocations' truncated rewards. A
 * shard count of 0 fails the whole call (the reference's "divisor is zero").
 */
export const calculate = (
  difficulty: bigint,
  worldSize: bigint,
  units: bigint,
  provers: ReadonlyArray<ReadonlyArray<RewardAllocation>>,
): Either.Either<Array<bigint>, RewardError> => {
  const world = guardedWorld(U64(worldSize))
  const basis = pomwBasis(difficulty, world, units)
  return Either.all(
    provers.map((allocations) =>
      Either.map(Either.all(allocations.map((a) => allocationReward(basis, world, a))), (parts) => parts.reduce((sum, x) => sum + x, 0n)),
    ),
  )
}

/**
 * What each participating prover of ring `ring` earns for one certified shard frame:
 * `Calculate(d, W, 8e9, [{ring, shards, stateSize}])[0] / 8`. A negative result (ring 62's negative
 * divisor) credits nothing: quilbun never debits a reward (D-REWARD-4).
 */
export const shardFrameShare = (difficulty: bigint, worldSize: bigint, ring: number, shards: bigint, stateSize: bigint): Either.Either<bigint, RewardError> =>
  Either.map(calculate(difficulty, worldSize, QUIL_UNITS, [[{ ring, shards: shards === 0n ? 1n : shards, stateSize }]]), ([total = 0n]) =>
    total > 0n ? total / RING_GROUP_SIZE : 0n,
  )

/** `GetBaselineFee(d, W, added, units)` = max((basis(W) − basis(W + added))² / W, added). */
export const getBaselineFee = (difficulty: bigint, worldSize: bigint, added: bigint, units: bigint): bigint => {
  const world = guardedWorld(U64(worldSize))
  const current = pomwBasis(difficulty, world, units)
  const affected = pomwBasis(difficulty, U64(world + U64(added)), units)
  const lhs = ((current - affected) * (current - affected)) / world
  return lhs > U64(added) ? lhs : U64(added)
}
