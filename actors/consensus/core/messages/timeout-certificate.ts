import { Either, Schema } from "effect"
import type { CanonicalDecodeError } from "../canonical/decode-error.ts"
import { decodeWhole } from "../canonical/reader.ts"
import { TypePrefix } from "../canonical/type-prefix.ts"
import { CanonicalWriter } from "../canonical/writer.ts"
import { Bytes, U64 } from "./fields.ts"
import { decodeQuorumCertificate, encodeQuorumCertificate, QuorumCertificate } from "./quorum-certificate.ts"
import { BLS48581AggregateSignature, decodeAggregateSignature, encodeAggregateSignature } from "./signatures.ts"

/** The reference caps latest_ranks at 64 entries (not 256) in its decoder; carried over. */
const TimeoutCertificateLimits = { filter: 64, latestRanks: 64, latestQuorumCertificate: 33_871, signature: 711 } as const

/** A TC (consensus.md §1.10, §3.8). Identity = filter ‖ u64_be(rank). */
export class TimeoutCertificate extends Schema.Class<TimeoutCertificate>("TimeoutCertificate")({
  filter: Bytes,
  rank: U64,
  /** Each signer's newest-QC rank, in signer (address-sorted prover) order. */
  latestRanks: Schema.Array(U64),
  latestQuorumCertificate: Schema.optional(QuorumCertificate),
  timestamp: U64,
  aggregateSignature: Schema.optional(BLS48581AggregateSignature),
}) {}

export const encodeTimeoutCertificate = (tc: TimeoutCertificate): Uint8Array => {
  const w = new CanonicalWriter(2_048).u32(TypePrefix.TimeoutCertificate).bytes(tc.filter).u64(tc.rank).u32(tc.latestRanks.length)
  for (const r of tc.latestRanks) w.u64(r)
  return w
    .nested(tc.latestQuorumCertificate === undefined ? undefined : encodeQuorumCertificate(tc.latestQuorumCertificate))
    .u64(tc.timestamp)
    .nested(tc.aggregateSignature === undefined ? undefined : encodeAggregateSignature(tc.aggregateSignature))
    .finish()
}

export const decodeTimeoutCertificate = (input: Uint8Array): Either.Either<TimeoutCertificate, CanonicalDecodeError> =>
  decodeWhole(input, "TimeoutCertificate", (r) =>
    Either.gen(function* () {
      const L = TimeoutCertificateLimits
      yield* r.typePrefix(TypePrefix.TimeoutCertificate)
      const filter = yield* r.bytes("filter", L.filter)
      const rank = yield* r.u64("rank")
      const count = yield* r.count("latest_ranks", L.latestRanks, 8)
      const latestRanks: Array<bigint> = []
      for (let i = 0; i < count; i++) latestRanks.push(yield* r.u64(`latest_ranks[${i}]`))
      const qcBytes = yield* r.optionalNested("latest_quorum_certificate", L.latestQuorumCertificate)
      const qc = qcBytes === undefined ? undefined : yield* decodeQuorumCertificate(qcBytes)
      const timestamp = yield* r.u64("timestamp")
      const sigBytes = yield* r.optionalNested("aggregate_signature", L.signature)
      const sig = sigBytes === undefined ? undefined : yield* decodeAggregateSignature(sigBytes)
      return new TimeoutCertificate(
        {
          filter,
          rank,
          latestRanks,
          timestamp,
          ...(qc === undefined ? {} : { latestQuorumCertificate: qc }),
          ...(sig === undefined ? {} : { aggregateSignature: sig }),
        },
        true,
      )
    }),
  )
