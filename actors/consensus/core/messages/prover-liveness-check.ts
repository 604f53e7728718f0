import { Either, Schema } from "effect"
import type { CanonicalDecodeError } from "../canonical/decode-error.ts"
import { decodeWhole } from "../canonical/reader.ts"
import { TypePrefix } from "../canonical/type-prefix.ts"
import { CanonicalWriter } from "../canonical/writer.ts"
import { Bytes, U64 } from "./fields.ts"
import { BLS48581AddressedSignature, decodeAddressedSignature, encodeAddressedSignature } from "./signatures.ts"

const ProverLivenessCheckLimits = { filter: 64, commitmentHash: 20_000, signature: 118 } as const

/**
 * A shard prover's liveness check (consensus.md §1.10). Signed over its canonical bytes with the
 * signature absent, domain "PROVER_LIVENESS" ‖ filter. Field order follows the spec (rank after filter);
 * see DECISIONS.md D-CANON-4.
 */
export class ProverLivenessCheck extends Schema.Class<ProverLivenessCheck>("ProverLivenessCheck")({
  filter: Bytes,
  rank: U64,
  frameNumber: U64,
  /** Unix ms; the 8 wire bytes are the same for Go int64 and uint64. */
  timestamp: U64,
  commitmentHash: Bytes,
  publicKeySignatureBls48581: Schema.optional(BLS48581AddressedSignature),
}) {}

export const encodeProverLivenessCheck = (p: ProverLivenessCheck): Uint8Array =>
  new CanonicalWriter(256)
    .u32(TypePrefix.ProverLivenessCheck)
    .bytes(p.filter)
    .u64(p.rank)
    .u64(p.frameNumber)
    .u64(p.timestamp)
    .bytes(p.commitmentHash)
    .nested(p.publicKeySignatureBls48581 === undefined ? undefined : encodeAddressedSignature(p.publicKeySignatureBls48581))
    .finish()

/** The bytes the liveness signature covers: canonical bytes with the signature set to nil. */
export const livenessCheckSigningPayload = (p: ProverLivenessCheck): Uint8Array =>
  encodeProverLivenessCheck(
    new ProverLivenessCheck({ filter: p.filter, rank: p.rank, frameNumber: p.frameNumber, timestamp: p.timestamp, commitmentHash: p.commitmentHash }, true),
  )

export const decodeProverLivenessCheck = (input: Uint8Array): Either.Either<ProverLivenessCheck, CanonicalDecodeError> =>
  decodeWhole(input, "ProverLivenessCheck", (r) =>
    Either.gen(function* () {
      const L = ProverLivenessCheckLimits
      yield* r.typePrefix(TypePrefix.ProverLivenessCheck)
      const filter = yield* r.bytes("filter", L.filter)
      const rank = yield* r.u64("rank")
      const frameNumber = yield* r.u64("frame_number")
      const timestamp = yield* r.u64("timestamp")
      const commitmentHash = yield* r.bytes("commitment_hash", L.commitmentHash)
      // The reference rejects a liveness check without a signature at decode time.
      const sigBytes = yield* r.requiredNested("public_key_signature_bls48581", L.signature)
      const sig = yield* decodeAddressedSignature(sigBytes)
      return new ProverLivenessCheck({ filter, rank, frameNumber, timestamp, commitmentHash, publicKeySignatureBls48581: sig }, true)
    }),
  )
