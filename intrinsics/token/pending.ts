// pending:PendingTransaction (spec §2.4): one commitment, a *to* and a *refund* recipient bundle, and
// (QUIL is divisible and expirable) the expiration frame at key 0x28. Address `poseidon(tree.Commit())`.
import * as Either from "effect/Either"
import { bytesEqual, type CryptoServices, malformed, type OpError } from "../contract/index.ts"
import { field, readU64, u64Bytes } from "./coin.ts"
import { POINT_BYTES } from "./constants.ts"
import { PENDING_CLASS, typeMarker } from "./markers.ts"
import { decodeRecord, encodeRecord, fieldKey, type Leaf, leafValue, recordAddress, TYPE_KEY } from "./record.ts"
import type { RecipientOutput } from "./stealth.ts"

export interface Pending {
  readonly frameNumber: bigint
  readonly commitment: Uint8Array
  readonly to: RecipientOutput
  readonly refund: RecipientOutput
  /** From this frame on the refund party may reclaim (spec §2.6.3). */
  readonly expiration: bigint
}

const pendingLeaves = (p: Pending, domain: Uint8Array, poseidon: (d: Uint8Array) => Uint8Array): Array<Leaf> => [
  { key: fieldKey(0), value: u64Bytes(p.frameNumber) },
  { key: fieldKey(1), value: p.commitment },
  { key: fieldKey(2), value: p.to.oneTimeKey },
  { key: fieldKey(3), value: p.refund.oneTimeKey },
  { key: fieldKey(4), value: p.to.verificationKey },
  { key: fieldKey(5), value: p.refund.verificationKey },
  { key: fieldKey(6), value: p.to.coinBalance },
  { key: fieldKey(7), value: p.refund.coinBalance },
  { key: fieldKey(8), value: p.to.mask },
  { key: fieldKey(9), value: p.refund.mask },
  { key: fieldKey(10), value: u64Bytes(p.expiration) },
  { key: TYPE_KEY, value: typeMarker(poseidon, domain, PENDING_CLASS) },
]

export const encodePending = (p: Pending, domain: Uint8Array, poseidon: (d: Uint8Array) => Uint8Array): Uint8Array =>
  encodeRecord(pendingLeaves(p, domain, poseidon))

export const pendingAddress = (p: Pending, domain: Uint8Array, crypto: CryptoServices): Either.Either<Uint8Array, OpError> =>
  recordAddress(pendingLeaves(p, domain, crypto.poseidon), crypto)

export const decodePending = (bytes: Uint8Array, domain: Uint8Array, poseidon: (d: Uint8Array) => Uint8Array): Either.Either<Pending, OpError> =>
  Either.gen(function* () {
    const leaves = yield* decodeRecord(bytes)
    const type = leafValue(leaves, TYPE_KEY)
    if (type === undefined || !bytesEqual(type, typeMarker(poseidon, domain, PENDING_CLASS))) {
      return yield* Either.left(malformed(undefined, "not a pending:PendingTransaction record"))
    }
    if (leaves.length !== 12) return yield* Either.left(malformed(undefined, "a pending record of an expirable divisible token has 12 leaves"))
    const f = (order: number, name: string) => field(leaves, order, name, POINT_BYTES)
    return {
      frameNumber: readU64(yield* field(leaves, 0, "FrameNumber", 8)),
      commitment: yield* f(1, "Commitment"),
      to: {
        oneTimeKey: yield* f(2, "ToOneTimeKey"),
        verificationKey: yield* f(4, "ToVerificationKey"),
        coinBalance: yield* f(6, "ToCoinBalance"),
        mask: yield* f(8, "ToMask"),
      },
      refund: {
        oneTimeKey: yield* f(3, "RefundOneTimeKey"),
        verificationKey: yield* f(5, "RefundVerificationKey"),
        coinBalance: yield* f(7, "RefundCoinBalance"),
        mask: yield* f(9, "RefundMask"),
      },
      expiration: readU64(yield* field(leaves, 10, "Expiration", 8)),
    }
  })
