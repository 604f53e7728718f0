import { Either, Schema } from "effect"
import type { CanonicalDecodeError } from "../canonical/decode-error.ts"
import { decodeWhole } from "../canonical/reader.ts"
import { TypePrefix } from "../canonical/type-prefix.ts"
import { CanonicalWriter } from "../canonical/writer.ts"
import { Bytes, U64 } from "./fields.ts"
import { BLS48581AggregateSignature, decodeAggregateSignature, encodeAggregateSignature } from "./signatures.ts"

const QuorumCertificateLimits = { filter: 64, selector: 32, signature: 33_735 } as const

/** A QC certifies the state whose selector it carries (consensus.md §1.10, §3.7). */
export class QuorumCertificate extends Schema.Class<QuorumCertificate>("QuorumCertificate")({
  filter: Bytes,
  rank: U64,
  frameNumber: U64,
  selector: Bytes,
  timestamp: U64,
  aggregateSignature: Schema.optional(BLS48581AggregateSignature),
}) {}

export const encodeQuorumCertificate = (qc: QuorumCertificate): Uint8Array =>
  new CanonicalWriter(1_024)
    .u32(TypePrefix.QuorumCertificate)
    .bytes(qc.filter)
    .u64(qc.rank)
    .u64(qc.frameNumber)
    .bytes(qc.selector)
    .u64(qc.timestamp)
    .nested(qc.aggregateSignature === undefined ? undefined : encodeAggregateSignature(qc.aggregateSignature))
    .finish()

export const decodeQuorumCertificate = (input: Uint8Array): Either.Either<QuorumCertificate, CanonicalDecodeError> =>
  decodeWhole(input, "QuorumCertificate", (r) =>
    Either.gen(function* () {
      const L = QuorumCertificateLimits
      yield* r.typePrefix(TypePrefix.QuorumCertificate)
      const filter = yield* r.bytes("filter", L.filter)
      const rank = yield* r.u64("rank")
      const frameNumber = yield* r.u64("frame_number")
      const selector = yield* r.bytes("selector", L.selector)
      const timestamp = yield* r.u64("timestamp")
      const sigBytes = yield* r.optionalNested("aggregate_signature", L.signature)
      const sig = sigBytes === undefined ? undefined : yield* decodeAggregateSignature(sigBytes)
      const fields = { filter, rank, frameNumber, selector, timestamp }
      return new QuorumCertificate(sig === undefined ? fields : { ...fields, aggregateSignature: sig }, true)
    }),
  )
