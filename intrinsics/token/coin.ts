// coin:Coin (spec §2.4): the record, its stored bytes, its address `poseidon(tree.Commit())`. A
// divisible token's coin has no reference fields (QUIL is divisible), so the tree has 7 leaves.
import * as Either from "effect/Either"
import { bytesEqual, type CryptoServices, malformed, type OpError } from "../contract/index.ts"
import { POINT_BYTES } from "./constants.ts"
import { COIN_CLASS, typeMarker } from "./markers.ts"
import { decodeRecord, encodeRecord, fieldKey, type Leaf, leafValue, recordAddress, TYPE_KEY } from "./record.ts"

export interface Coin {
  /** The frame the output was built against; spends need `frame > frameNumber` (spec §2.6.1 step 7). */
  readonly frameNumber: bigint
  readonly commitment: Uint8Array
  readonly oneTimeKey: Uint8Array
  readonly verificationKey: Uint8Array
  readonly coinBalance: Uint8Array
  readonly mask: Uint8Array
}

export const u64Bytes = (n: bigint): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, n)
  return b
}
export const readU64 = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0)

const coinLeaves = (coin: Coin, domain: Uint8Array, poseidon: (d: Uint8Array) => Uint8Array): Array<Leaf> => [
  { key: fieldKey(0), value: u64Bytes(coin.frameNumber) },
  { key: fieldKey(1), value: coin.commitment },
  { key: fieldKey(2), value: coin.oneTimeKey },
  { key: fieldKey(3), value: coin.verificationKey },
  { key: fieldKey(4), value: coin.coinBalance },
  { key: fieldKey(5), value: coin.mask },
  { key: TYPE_KEY, value: typeMarker(poseidon, domain, COIN_CLASS) },
]

export const encodeCoin = (coin: Coin, domain: Uint8Array, poseidon: (d: Uint8Array) => Uint8Array): Uint8Array =>
  encodeRecord(coinLeaves(coin, domain, poseidon))

export const coinAddress = (coin: Coin, domain: Uint8Array, crypto: CryptoServices): Either.Either<Uint8Array, OpError> =>
  recordAddress(coinLeaves(coin, domain, crypto.poseidon), crypto)

/** A fixed-size field of a decoded record, or a malformed error naming it. */
export const field = (leaves: ReadonlyArray<Leaf>, order: number, name: string, size: number): Either.Either<Uint8Array, OpError> => {
  const v = leafValue(leaves, fieldKey(order))
  return v !== undefined && v.length === size ? Either.right(v) : Either.left(malformed(undefined, `record field ${name} is missing or not ${size} bytes`))
}

/** The coin stored in `bytes`, if they are a coin of `domain` (type marker and every field checked). */
export const decodeCoin = (bytes: Uint8Array, domain: Uint8Array, poseidon: (d: Uint8Array) => Uint8Array): Either.Either<Coin, OpError> =>
  Either.gen(function* () {
    const leaves = yield* decodeRecord(bytes)
    const type = leafValue(leaves, TYPE_KEY)
    if (type === undefined || !bytesEqual(type, typeMarker(poseidon, domain, COIN_CLASS)))
      return yield* Either.left(malformed(undefined, "not a coin:Coin record"))
    if (leaves.length !== 7) return yield* Either.left(malformed(undefined, "a coin record has 7 leaves"))
    return {
      frameNumber: readU64(yield* field(leaves, 0, "FrameNumber", 8)),
      commitment: yield* field(leaves, 1, "Commitment", POINT_BYTES),
      oneTimeKey: yield* field(leaves, 2, "OneTimeKey", POINT_BYTES),
      verificationKey: yield* field(leaves, 3, "VerificationKey", POINT_BYTES),
      coinBalance: yield* field(leaves, 4, "CoinBalance", POINT_BYTES),
      mask: yield* field(leaves, 5, "Mask", POINT_BYTES),
    }
  })
