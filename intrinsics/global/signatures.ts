// The signature messages the lifecycle operations carry (consensus.md §0) and the domains and signed
// bytes of §8.3. Codecs are canonical (u32 prefix, u32-length fields) and total: readers answer Either.
import * as Either from "effect/Either"
import {
  type CanonicalReader,
  type CanonicalWriter,
  canonicalWriter,
  type CryptoServices,
  decodeCanonical,
  GLOBAL_INTRINSIC_ADDRESS,
  malformed,
  type OpError,
} from "../contract/index.ts"
import {
  ADDRESS_BYTES,
  BLS_PUBLIC_KEY_BYTES,
  BLS_SIGNATURE_BYTES,
  BLS48581_ADDRESSED_SIGNATURE,
  BLS48581_G2_PUBLIC_KEY,
  BLS48581_SIGNATURE_WITH_POP,
  MAX_MERGE_KEY_BYTES,
  MAX_MERGE_SIGNATURE_BYTES,
  SENIORITY_MERGE,
} from "./constants.ts"

/** `BLS48581AddressedSignature{signature, address}`: who signed, by prover address. */
export interface AddressedSignature {
  readonly signature: Uint8Array
  readonly address: Uint8Array
}

/** `BLS48581SignatureWithProofOfPossession{signature, public_key, pop_signature}`: a join's key and its PoP. */
export interface SignatureWithPop {
  readonly signature: Uint8Array
  readonly publicKey: Uint8Array
  readonly popSignature: Uint8Array
}

/** `SeniorityMerge{signature, key_type, prover_public_key}`: an old key vouching for the joining BLS key. */
export interface MergeTarget {
  readonly signature: Uint8Array
  readonly keyType: number
  readonly publicKey: Uint8Array
}

/** `u32 len ‖ bytes` with len exactly `n`: a fixed-size value in a length-prefixed slot. */
const fixedBytes = (r: CanonicalReader, field: string, n: number): Either.Either<Uint8Array, OpError> =>
  Either.flatMap(r.bytes(field, n), (b) => (b.length === n ? Either.right(b) : Either.left(malformed(undefined, `${field}: ${b.length} bytes, want ${n}`))))

export const encodeAddressedSignature = (s: AddressedSignature): Uint8Array =>
  canonicalWriter(BLS48581_ADDRESSED_SIGNATURE).bytes(s.signature).bytes(s.address).finish()

/** Signature exactly 74 bytes (the reference also admits 74 + 516 for votes; no lifecycle op carries a proof there). */
export const decodeAddressedSignature = (bytes: Uint8Array): Either.Either<AddressedSignature, OpError> =>
  decodeCanonical(BLS48581_ADDRESSED_SIGNATURE, bytes, (r) =>
    Either.gen(function* () {
      const signature = yield* fixedBytes(r, "signature", BLS_SIGNATURE_BYTES)
      const address = yield* fixedBytes(r, "address", ADDRESS_BYTES)
      return { signature, address }
    }),
  )

export const encodeSignatureWithPop = (s: SignatureWithPop): Uint8Array =>
  canonicalWriter(BLS48581_SIGNATURE_WITH_POP)
    .bytes(s.signature)
    .bytes(canonicalWriter(BLS48581_G2_PUBLIC_KEY).fixed(s.publicKey).finish())
    .bytes(s.popSignature)
    .finish()

export const decodeSignatureWithPop = (bytes: Uint8Array): Either.Either<SignatureWithPop, OpError> =>
  decodeCanonical(BLS48581_SIGNATURE_WITH_POP, bytes, (r) =>
    Either.gen(function* () {
      const signature = yield* fixedBytes(r, "signature", BLS_SIGNATURE_BYTES)
      const key = yield* fixedBytes(r, "public_key", 4 + BLS_PUBLIC_KEY_BYTES)
      const publicKey = yield* decodeCanonical(BLS48581_G2_PUBLIC_KEY, key, (k) => k.fixed("key_value", BLS_PUBLIC_KEY_BYTES))
      const popSignature = yield* fixedBytes(r, "pop_signature", BLS_SIGNATURE_BYTES)
      return { signature, publicKey, popSignature }
    }),
  )

export const encodeMergeTarget = (m: MergeTarget): Uint8Array => canonicalWriter(SENIORITY_MERGE).bytes(m.signature).u32(m.keyType).bytes(m.publicKey).finish()

export const decodeMergeTarget = (bytes: Uint8Array): Either.Either<MergeTarget, OpError> =>
  decodeCanonical(SENIORITY_MERGE, bytes, (r) =>
    Either.gen(function* () {
      const signature = yield* r.bytes("signature", MAX_MERGE_SIGNATURE_BYTES)
      const keyType = yield* r.u32("key_type")
      const publicKey = yield* r.bytes("prover_public_key", MAX_MERGE_KEY_BYTES)
      return { signature, keyType, publicKey }
    }),
  )

const enc = new TextEncoder()

/** `poseidon(0xff×32 ‖ name)` as 32 bytes (§8.3): the domain each lifecycle operation signs under. */
export const lifecycleDomain = (crypto: Pick<CryptoServices, "poseidon">, name: string): Uint8Array => {
  const preimage = new Uint8Array(32 + name.length)
  preimage.set(GLOBAL_INTRINSIC_ADDRESS, 0)
  preimage.set(enc.encode(name), 32)
  return crypto.poseidon(preimage)
}

/** `u32 count ‖ (u32 len ‖ filter)…` — the filters as the signed messages of §8.3 write them. */
export const writeFilters = (w: CanonicalWriter, filters: ReadonlyArray<Uint8Array>): CanonicalWriter => {
  w.u32(filters.length)
  for (const f of filters) w.bytes(f)
  return w
}
