import { Either, Schema } from "effect"
import type { CanonicalDecodeError } from "../canonical/decode-error.ts"
import { decodeWhole } from "../canonical/reader.ts"
import { TypePrefix } from "../canonical/type-prefix.ts"
import { CanonicalWriter } from "../canonical/writer.ts"
import { Bytes } from "./fields.ts"

/** BLS48-581 sizes (consensus.md §0). */
export const BLS_PUBLIC_KEY_BYTES = 585
export const BLS_SIGNATURE_BYTES = 74
/** Largest signer bitmask: 256 provers. */
export const MAX_BITMASK_BYTES = 32
/** A vote signature may carry a 516-byte VDF multiproof after the 74-byte BLS signature (§1.4). */
export const MAX_VOTE_SIGNATURE_BYTES = BLS_SIGNATURE_BYTES + 516
const PROVER_ADDRESS_BYTES = 32

/** A signature plus the 32-byte prover address of the signer (votes, liveness checks). */
export class BLS48581AddressedSignature extends Schema.Class<BLS48581AddressedSignature>("BLS48581AddressedSignature")({
  signature: Bytes,
  address: Bytes,
}) {}

/**
 * An aggregate signature: signature, aggregate public key (absent in genesis blocks) and the signer
 * bitmask over the address-sorted active prover list.
 */
export class BLS48581AggregateSignature extends Schema.Class<BLS48581AggregateSignature>("BLS48581AggregateSignature")({
  signature: Bytes,
  publicKey: Schema.optional(Bytes.pipe(Schema.filter((key) => key.length === BLS_PUBLIC_KEY_BYTES))),
  bitmask: Bytes,
}) {}

export const encodeAddressedSignature = (sig: BLS48581AddressedSignature): Uint8Array =>
  new CanonicalWriter(4 + 4 + sig.signature.length + 4 + sig.address.length)
    .u32(TypePrefix.BLS48581AddressedSignature)
    .bytes(sig.signature)
    .bytes(sig.address)
    .finish()

export const decodeAddressedSignature = (input: Uint8Array): Either.Either<BLS48581AddressedSignature, CanonicalDecodeError> =>
  decodeWhole(input, "BLS48581AddressedSignature", (r) =>
    Either.gen(function* () {
      yield* r.typePrefix(TypePrefix.BLS48581AddressedSignature)
      const signature = yield* r.bytes("signature", MAX_VOTE_SIGNATURE_BYTES)
      const address = yield* r.bytes("address", PROVER_ADDRESS_BYTES)
      return new BLS48581AddressedSignature({ signature, address }, true)
    }),
  )

/** `BLS48581G2PublicKey` canonical form: type prefix, then the 585 key bytes with no length prefix. */
const encodeG2PublicKey = (key: Uint8Array): Uint8Array => new CanonicalWriter(4 + key.length).u32(TypePrefix.BLS48581G2PublicKey).raw(key).finish()

const decodeG2PublicKey = (input: Uint8Array): Either.Either<Uint8Array, CanonicalDecodeError> =>
  decodeWhole(input, "BLS48581G2PublicKey", (r) =>
    Either.gen(function* () {
      yield* r.typePrefix(TypePrefix.BLS48581G2PublicKey)
      return yield* r.raw("key_value", BLS_PUBLIC_KEY_BYTES)
    }),
  )

export const encodeAggregateSignature = (sig: BLS48581AggregateSignature): Uint8Array =>
  new CanonicalWriter(4 + 4 + sig.signature.length + 4 + 4 + BLS_PUBLIC_KEY_BYTES + 4 + sig.bitmask.length)
    .u32(TypePrefix.BLS48581AggregateSignature)
    .bytes(sig.signature)
    .nested(sig.publicKey === undefined ? undefined : encodeG2PublicKey(sig.publicKey))
    .bytes(sig.bitmask)
    .finish()

/**
 * `signatureLimit` bounds the signature field: app aggregates may append VDF multiproofs, so the caller
 * passes its container's limit.
 */
export const decodeAggregateSignature = (
  input: Uint8Array,
  signatureLimit: number = input.length,
): Either.Either<BLS48581AggregateSignature, CanonicalDecodeError> =>
  decodeWhole(input, "BLS48581AggregateSignature", (r) =>
    Either.gen(function* () {
      yield* r.typePrefix(TypePrefix.BLS48581AggregateSignature)
      const signature = yield* r.bytes("signature", signatureLimit)
      const keyBytes = yield* r.optionalNested("public_key", 4 + BLS_PUBLIC_KEY_BYTES)
      const publicKey = keyBytes === undefined ? undefined : yield* decodeG2PublicKey(keyBytes)
      const bitmask = yield* r.bytes("bitmask", MAX_BITMASK_BYTES)
      return new BLS48581AggregateSignature(publicKey === undefined ? { signature, bitmask } : { signature, publicKey, bitmask }, true)
    }),
  )
