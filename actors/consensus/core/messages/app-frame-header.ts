import { Either, Schema } from "effect"
import type { CanonicalDecodeError } from "../canonical/decode-error.ts"
import { decodeWhole } from "../canonical/reader.ts"
import { TypePrefix } from "../canonical/type-prefix.ts"
import { CanonicalWriter } from "../canonical/writer.ts"
import { Bytes, I64, U32, U64 } from "./fields.ts"
import { BLS48581AggregateSignature, decodeAggregateSignature, encodeAggregateSignature } from "./signatures.ts"

/** Decoder limits of the reference (consensus.md §0; output and state-root count are exact). */
const AppFrameHeaderLimits = {
  address: 64,
  output: 516,
  parentSelector: 32,
  requestsRoot: 74,
  stateRoots: 4,
  stateRoot: 74,
  prover: 32,
  /** Large because app aggregates may append VDF multiproofs (§1.4). */
  signature: 33_735,
} as const

/** App-shard frame header, `FrameHeader` in the reference (consensus.md §1.2); canonical field order. */
export class AppFrameHeader extends Schema.Class<AppFrameHeader>("AppFrameHeader")({
  /** Shard filter, 32–64 bytes. */
  address: Bytes,
  frameNumber: U64,
  rank: U64,
  timestamp: I64,
  difficulty: U32,
  output: Bytes,
  parentSelector: Bytes,
  requestsRoot: Bytes,
  /** vertex-adds, vertex-removes, hyperedge-adds, hyperedge-removes roots. */
  stateRoots: Schema.Array(Bytes),
  prover: Bytes,
  feeMultiplierVote: U64,
  publicKeySignatureBls48581: Schema.optional(BLS48581AggregateSignature),
}) {}

export const encodeAppFrameHeader = (h: AppFrameHeader): Uint8Array =>
  new CanonicalWriter(2_048)
    .u32(TypePrefix.FrameHeader)
    .bytes(h.address)
    .u64(h.frameNumber)
    .u64(h.rank)
    .i64(h.timestamp)
    .u32(h.difficulty)
    .bytes(h.output)
    .bytes(h.parentSelector)
    .bytes(h.requestsRoot)
    .repeatedBytes(h.stateRoots)
    .bytes(h.prover)
    .u64(h.feeMultiplierVote)
    .nested(h.publicKeySignatureBls48581 === undefined ? undefined : encodeAggregateSignature(h.publicKeySignatureBls48581))
    .finish()

export const decodeAppFrameHeader = (input: Uint8Array): Either.Either<AppFrameHeader, CanonicalDecodeError> =>
  decodeWhole(input, "FrameHeader", (r) =>
    Either.gen(function* () {
      const L = AppFrameHeaderLimits
      yield* r.typePrefix(TypePrefix.FrameHeader)
      const address = yield* r.bytes("address", L.address)
      const frameNumber = yield* r.u64("frame_number")
      const rank = yield* r.u64("rank")
      const timestamp = yield* r.i64("timestamp")
      const difficulty = yield* r.u32("difficulty")
      // The reference decoder requires exactly 516 output bytes and exactly 4 state roots.
      const output = yield* r.exactBytes("output", [L.output])
      const parentSelector = yield* r.bytes("parent_selector", L.parentSelector)
      const requestsRoot = yield* r.bytes("requests_root", L.requestsRoot)
      const stateRoots: Array<Uint8Array> = []
      const count = yield* r.exactCount("state_roots", L.stateRoots, 4)
      for (let i = 0; i < count; i++) stateRoots.push(yield* r.bytes(`state_roots[${i}]`, L.stateRoot))
      const prover = yield* r.bytes("prover", L.prover)
      const feeMultiplierVote = yield* r.u64("fee_multiplier_vote")
      const sigBytes = yield* r.optionalNested("public_key_signature_bls48581", L.signature)
      const signature = sigBytes === undefined ? undefined : yield* decodeAggregateSignature(sigBytes)
      const fields = {
        address,
        frameNumber,
        rank,
        timestamp,
        difficulty,
        output,
        parentSelector,
        requestsRoot,
        stateRoots,
        prover,
        feeMultiplierVote,
      }
      return new AppFrameHeader(signature === undefined ? fields : { ...fields, publicKeySignatureBls48581: signature }, true)
    }),
  )
