// Bitmask pubsub primitives (node.md §4.2, consensus.md §4.2). Pure functions, no I/O.
//
// A bitmask is a byte string whose *length and bits both matter*: `00` and `0000` are different
// channels. Subscriptions, delivery and meshes work per *slice*: a same-length mask holding one of
// the mask's set bits (or the whole mask when it is all zeros).
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { sha3_256 } from "@noble/hashes/sha3.js"

export type Bitmask = Uint8Array

const BLOOM_BITS = 256
const BLOOM_BYTES = BLOOM_BITS / 8
/** A shard's app filter is one bloom bitmask. */
export const APP_FILTER_BYTES = BLOOM_BYTES
const BLOOM_HASHES = 3
/** A collision (position already set) extends the loop by one window, up to this many in total. */
const MAX_WINDOWS = 8

const reverseBits8 = (byte: number): number => {
  let out = 0
  for (let bit = 0; bit < 8; bit++) out = (out << 1) | ((byte >> bit) & 1)
  return out
}

/**
 * `GetBloomFilter(address, 256, 3)` from a precomputed SHA3-256 digest.
 *
 * The window is bitlen(256) - 1 = 8 bits, so each window of the digest yields one bit position.
 * Window i reads integer bits 8i..8i+7 of the big-endian digest, LSB-first, the first bit read
 * becoming the MSB of the position: that is the bit-reversal of byte `d[31 - i]`. The position is
 * set in a 256-bit integer written out big-endian, so integer bit `pos` is byte `31 - pos/8`,
 * bit `pos % 8`.
 */
export const bloomFilterFromDigest = (digest: Uint8Array): Bitmask => {
  if (digest.length !== BLOOM_BYTES) throw new RangeError(`digest must be ${BLOOM_BYTES} bytes`)
  const mask = new Uint8Array(BLOOM_BYTES)
  let windows = BLOOM_HASHES
  for (let i = 0; i < windows && i < MAX_WINDOWS; i++) {
    const pos = reverseBits8(digest[BLOOM_BYTES - 1 - i] ?? 0)
    const byteIndex = BLOOM_BYTES - 1 - (pos >> 3)
    const bit = 1 << (pos & 7)
    const current = mask[byteIndex] ?? 0
    if ((current & bit) !== 0) {
      windows++
      continue
    }
    mask[byteIndex] = current | bit
  }
  return mask
}

/** The 32-byte shard topic (`appFilter`) of an address: 3 bits of 256 chosen by SHA3-256. */
export const bloomFilter = (address: Uint8Array): Bitmask => bloomFilterFromDigest(sha3_256(address))

const isAllZero = (mask: Bitmask): boolean => mask.every((b) => b === 0)

/**
 * `SliceBitmask`: an all-zero mask is its own single slice; otherwise one same-length mask per set
 * bit, bytes in order and bits MSB to LSB within a byte.
 */
export const sliceBitmask = (mask: Bitmask): ReadonlyArray<Bitmask> => {
  if (isAllZero(mask)) return [mask.slice()]
  const slices: Array<Bitmask> = []
  for (let i = 0; i < mask.length; i++) {
    const byte = mask[i] ?? 0
    if (byte === 0) continue
    for (let bit = 7; bit >= 0; bit--) {
      if ((byte & (1 << bit)) === 0) continue
      const slice = new Uint8Array(mask.length)
      slice[i] = 1 << bit
      slices.push(slice)
    }
  }
  return slices
}

export const bitmaskFromHex = (hex: string): Bitmask => {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(hex)) {
    throw new RangeError(`not a bitmask hex string: ${JSON.stringify(hex)}`)
  }
  return hexToBytes(hex)
}

const zeros = (n: number): Bitmask => new Uint8Array(n)

const concat = (prefix: Bitmask, rest: Bitmask): Bitmask => {
  const out = new Uint8Array(prefix.length + rest.length)
  out.set(prefix, 0)
  out.set(rest, prefix.length)
  return out
}

/** Global channels (node.md §4.2 channel map). Distinct only by their length. */
export const GLOBAL_CONSENSUS: Bitmask = zeros(1)
export const GLOBAL_FRAME: Bitmask = zeros(2)
export const GLOBAL_PROVER: Bitmask = zeros(3)
export const GLOBAL_PEER_INFO: Bitmask = zeros(4)
export const GLOBAL_ALERT: Bitmask = zeros(16)
/**
 * quilbun devnets only: masters announce the app shards their workers cover (runtime/node/shard-coverage.ts),
 * standing in for prover joins until the prover registry allocates shards. Not a reference channel.
 */
export const DEVNET_SHARD_COVERAGE: Bitmask = zeros(5)

/** Archive bulk subscriptions: every shard's frame channel and every shard's consensus channel. */
export const BULK_SHARD_FRAMES: Bitmask = new Uint8Array(BLOOM_BYTES).fill(0xff)
export const BULK_SHARD_CONSENSUS: Bitmask = concat(zeros(1), BULK_SHARD_FRAMES)

/** The four per-shard channels, derived from the shard's 32-byte `appFilter`. */
export const shardChannels = (appFilter: Bitmask) => {
  if (appFilter.length !== BLOOM_BYTES) throw new RangeError(`appFilter must be ${BLOOM_BYTES} bytes`)
  return {
    /** certified shard frames */
    frames: appFilter.slice(),
    /** proposals, votes, timeouts, liveness checks */
    consensus: concat(zeros(1), appFilter),
    /** dispatch / inbox messages */
    dispatch: concat(zeros(2), appFilter),
    /** prover and transaction bundles */
    prover: concat(zeros(3), appFilter),
  } as const
}

/** Anything that answers "is this slice (hex) subscribed?" — a Set, or a Map of slice refcounts. */
export interface SliceLookup {
  has(sliceHex: string): boolean
}

/**
 * A received message is delivered locally only if every slice of its mask is subscribed
 * (Go `subscribedToMsg`).
 */
export const isDeliverable = (mask: Bitmask, subscribedSlices: SliceLookup): boolean =>
  sliceBitmask(mask).every((slice) => subscribedSlices.has(bytesToHex(slice)))

/** Subscriptions with more slices than this are "broad" (e.g. the archive `ff×32`). */
const BROAD_SUBSCRIPTION_SLICES = 3

/**
 * Whether a subscription to `subscription` hands over a deliverable message with a given mask: an
 * exact match, or — for a broad subscription — any mask of the same length whose slices are all
 * among the subscription's slices (disambiguation is left to the handler). The subscription's
 * slices are computed once, since a broad mask has up to 256 of them.
 */
export const subscriptionMatcher = (subscription: Bitmask): ((message: Bitmask) => boolean) => {
  const ownHex = bytesToHex(subscription)
  const ownSlices = sliceBitmask(subscription)
  const broad = ownSlices.length > BROAD_SUBSCRIPTION_SLICES
  const own = new Set(ownSlices.map(bytesToHex))
  return (message) => {
    if (message.length !== subscription.length) return false
    if (bytesToHex(message) === ownHex) return true
    return broad && sliceBitmask(message).every((slice) => own.has(bytesToHex(slice)))
  }
}

export const subscriptionAccepts = (subscription: Bitmask, message: Bitmask): boolean => subscriptionMatcher(subscription)(message)

interface ShardRole {
  readonly appFilter: Bitmask
  /** a prover of the shard takes part in its consensus; an observer only follows its frames */
  readonly prover: boolean
}

export interface NodeRoles {
  /** archives (and devnet nodes, where consensus participation is forced) run global consensus */
  readonly archive: boolean
  /** shards whose engine is active on this node (through its workers) */
  readonly shards: ReadonlyArray<ShardRole>
}

/**
 * Role gating (node.md §4.2, §9.8): everyone gets PEER_INFO and ALERT; only archives get the
 * global consensus channels and the bulk shard subscriptions; shard channels follow engine
 * activation. Pre-subscribing every node to the global masks was the reference's bandwidth blow-up.
 */
export const subscriptionsForRoles = (roles: NodeRoles): ReadonlyArray<Bitmask> => {
  const masks: Array<Bitmask> = [GLOBAL_PEER_INFO, GLOBAL_ALERT]
  if (roles.archive) {
    masks.push(GLOBAL_CONSENSUS, GLOBAL_FRAME, GLOBAL_PROVER, BULK_SHARD_FRAMES, BULK_SHARD_CONSENSUS)
  }
  for (const shard of roles.shards) {
    const channels = shardChannels(shard.appFilter)
    masks.push(channels.frames, channels.dispatch, channels.prover)
    if (shard.prover) masks.push(channels.consensus)
  }
  const unique = new Map<string, Bitmask>()
  for (const mask of masks) unique.set(bytesToHex(mask), mask)
  return [...unique.values()]
}
