import { Either, Schema } from "effect"
import type { CanonicalDecodeError } from "../canonical/decode-error.ts"
import { decodeWhole } from "../canonical/reader.ts"
import { TypePrefix } from "../canonical/type-prefix.ts"
import { CanonicalWriter } from "../canonical/writer.ts"
import { Bytes, I64, U32, U64 } from "./fields.ts"
import { BLS48581AggregateSignature, decodeAggregateSignature, encodeAggregateSignature } from "./signatures.ts"

/** Decoder limits of the reference (consensus.md §0 limits table). */
const GlobalFrameHeaderLimits = {
  output: 516,
  parentSelector: 32,
  commitments: 256,
  commitment: 74,
  proverTreeCommitment: 74,
  requestsRoot: 74,
  prover: 32,
  signature: 711,
} as const

/** Global frame header (consensus.md §1.1); fields in canonical order. */
export class GlobalFrameHeader extends Schema.Class<GlobalFrameHeader>("GlobalFrameHeader")({
  frameNumber: U64,
  rank: U64,
  /** Unix ms (Go int64); the producer sets now + 10 s. */
  timestamp: I64,
  /** VDF iteration count. */
  difficulty: U32,
  /** VDF y ‖ π, 516 bytes. */
  output: Bytes,
  /** poseidon(parent.output), 32 bytes. */
  parentSelector: Bytes,
  /** Exactly 256 entries of 64 or 74 bytes in a valid header. */
  globalCommitments: Schema.Array(Bytes),
  proverTreeCommitment: Bytes,
  requestsRoot: Bytes,
  /** Proposer address, 32 bytes. */
  prover: Bytes,
  publicKeySignatureBls48581: Schema.optional(BLS48581AggregateSignature),
}) {}

export const encodeGlobalFrameHeader = (h: GlobalFrameHeader): Uint8Array => {
  const w = new CanonicalWriter(20_000)
    .u32(TypePrefix.GlobalFrameHeader)
    .u64(h.frameNumber)
    .u64(h.rank)
    .i64(h.timestamp)
    .u32(h.difficulty)
    .bytes(h.output)
    .bytes(h.parentSelector)
    .repeatedBytes(h.globalCommitments)
    .bytes(h.proverTreeCommitment)
    .bytes(h.requestsRoot)
    .bytes(h.prover)
  return w.nested(h.publicKeySignatureBls48581 === undefined ? undefined : encodeAggregateSignature(h.publicKeySignatureBls48581)).finish()
}

export const decodeGlobalFrameHeader = (input: Uint8Array): Either.Either<GlobalFrameHeader, CanonicalDecodeError> =>
  decodeWhole(input, "GlobalFrameHeader", (r) =>
    Either.gen(function* () {
      const L = GlobalFrameHeaderLimits
      yield* r.typePrefix(TypePrefix.GlobalFrameHeader)
      const frameNumber = yield* r.u64("frame_number")
      const rank = yield* r.u64("rank")
      const timestamp = yield* r.i64("timestamp")
      const difficulty = yield* r.u32("difficulty")
      const output = yield* r.bytes("output", L.output)
      const parentSelector = yield* r.bytes("parent_selector", L.parentSelector)
      const count = yield* r.count("global_commitments", L.commitments, 4)
      const globalCommitments: Array<Uint8Array> = []
      for (let i = 0; i < count; i++) globalCommitments.push(yield* r.bytes(`global_commitments[${i}]`, L.commitment))
      const proverTreeCommitment = yield* r.bytes("prover_tree_commitment", L.proverTreeCommitment)
      const requestsRoot = yield* r.bytes("requests_root", L.requestsRoot)
      const prover = yield* r.bytes("prover", L.prover)
      const sigBytes = yield* r.optionalNested("public_key_signature_bls48581", L.signature)
      const signature = sigBytes === undefined ? undefined : yield* decodeAggregateSignature(sigBytes)
      const fields = {
        frameNumber,
        rank,
        timestamp,
        difficulty,
        output,
        parentSelector,
        globalCommitments,
        proverTreeCommitment,
        requestsRoot,
        prover,
      }
      return new GlobalFrameHeader(signature === undefined ? fields : { ...fields, publicKeySignatureBls48581: signature }, true)
    }),
  )
