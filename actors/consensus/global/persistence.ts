// What the global consensus actor keeps in the store's consensus_state bucket. Every value is canonical
// bytes (the consensus codecs), never CBOR: these records hold QCs, TCs and frames whose hashes and
// signatures must stay recomputable (consensus.md §0.1). Keys: kind byte ‖ u64 ‖ selector (empty
// except for proposals).
//   0x00 ‖ 0          safety state (ConsensusState), reference layout (§12 item 14)
//   0x01 ‖ 0          liveness state (current rank, newest QC, prior TC)
//   0x02 ‖ frame n    committed frame n ‖ the QC that certifies it
//   0x03 ‖ 0          committed head frame number
//   0x04 ‖ rank ‖ sel validated proposals not yet committed (replayed into Forks on restart); keyed by
//                     selector too, so both frames of an equivocating leader survive
import { Either } from "effect"
import { decodeWhole } from "../core/canonical/reader.ts"
import type { CertifiedFrame as CoreCertifiedFrame } from "../core/chain-kind.ts"
import { CanonicalWriter } from "../core/canonical/writer.ts"
import { decodeGlobalFrame, encodeGlobalFrame, type GlobalFrame } from "../core/messages/global-frame.ts"
import { decodeGlobalProposal, encodeGlobalProposal, type GlobalProposal } from "../core/messages/proposals.ts"
import { decodeQuorumCertificate, encodeQuorumCertificate } from "../core/messages/quorum-certificate.ts"
import { decodeTimeoutCertificate, encodeTimeoutCertificate } from "../core/messages/timeout-certificate.ts"
import { decodeTimeoutState, encodeTimeoutState } from "../core/messages/timeout-state.ts"
import { LivenessState } from "../core/rank-tracker.ts"
import { ConsensusState } from "../core/safety-rules.ts"
import { Buckets, defineRepository, KeyCodec, type Repository, ValueCodec } from "../../../runtime/store/index.ts"

export const consensusRows = defineRepository({
  bucket: Buckets.consensusState,
  key: KeyCodec.tuple(KeyCodec.fixedBytes(1), KeyCodec.u64, KeyCodec.bytes),
  value: ValueCodec.raw,
})

const kind = (k: number): Uint8Array => Uint8Array.of(k)
const NONE = new Uint8Array()
export type ConsensusKey = readonly [Uint8Array, bigint, Uint8Array]
export const SAFETY_KEY: ConsensusKey = [kind(0x00), 0n, NONE]
export const LIVENESS_KEY: ConsensusKey = [kind(0x01), 0n, NONE]
export const committedKey = (frameNumber: bigint): ConsensusKey => [kind(0x02), frameNumber, NONE]
export const HEAD_KEY: ConsensusKey = [kind(0x03), 0n, NONE]
export const proposalKey = (rank: bigint, selector: Uint8Array): ConsensusKey => [kind(0x04), rank, selector]
export const proposalPrefix = (): Uint8Array => consensusRows.key.prefix(kind(0x04))

const orThrow = <A, E>(e: Either.Either<A, E>, what: string): A => {
  if (Either.isLeft(e)) throw new Error(`corrupt ${what}: ${String(e.left)}`)
  return e.right
}

/** `u32 len ‖ filter ‖ u64 FinalizedRank ‖ u64 LatestAcknowledgedRank ‖ u32 len ‖ TimeoutState` (D-HS-4). */
export const encodeSafety = (s: ConsensusState): Uint8Array =>
  new CanonicalWriter(512)
    .bytes(s.filter)
    .u64(s.highestVotedParentRank)
    .u64(s.latestAcknowledgedRank)
    .nested(s.latestTimeout === undefined ? undefined : encodeTimeoutState(s.latestTimeout))
    .finish()

export const decodeSafety = (bytes: Uint8Array): ConsensusState =>
  orThrow(
    decodeWhole(bytes, "ConsensusState", (r) =>
      Either.gen(function* () {
        const filter = yield* r.bytes("filter", 64)
        const highestVotedParentRank = yield* r.u64("finalized_rank")
        const latestAcknowledgedRank = yield* r.u64("latest_acknowledged_rank")
        const t = yield* r.optionalNested("latest_timeout", 100_000)
        const latestTimeout = t === undefined ? undefined : yield* decodeTimeoutState(t)
        return new ConsensusState({ filter, highestVotedParentRank, latestAcknowledgedRank, ...(latestTimeout === undefined ? {} : { latestTimeout }) })
      }),
    ),
    "safety state",
  )

export const encodeLiveness = (s: LivenessState): Uint8Array =>
  new CanonicalWriter(2_048)
    .bytes(s.filter)
    .u64(s.currentRank)
    .nested(encodeQuorumCertificate(s.latestQuorumCertificate))
    .nested(s.priorRankTimeoutCertificate === undefined ? undefined : encodeTimeoutCertificate(s.priorRankTimeoutCertificate))
    .finish()

export const decodeLiveness = (bytes: Uint8Array): LivenessState =>
  orThrow(
    decodeWhole(bytes, "LivenessState", (r) =>
      Either.gen(function* () {
        const filter = yield* r.bytes("filter", 64)
        const currentRank = yield* r.u64("current_rank")
        const latestQuorumCertificate = yield* decodeQuorumCertificate(yield* r.requiredNested("latest_qc", 100_000))
        const t = yield* r.optionalNested("prior_tc", 100_000)
        const tc = t === undefined ? undefined : yield* decodeTimeoutCertificate(t)
        return new LivenessState({ filter, currentRank, latestQuorumCertificate, ...(tc === undefined ? {} : { priorRankTimeoutCertificate: tc }) })
      }),
    ),
    "liveness state",
  )

/** A committed global frame (header signature = its QC's aggregate, §1.4 step 3) with that QC. */
export type CertifiedFrame = CoreCertifiedFrame<GlobalFrame>

export const encodeCertifiedFrame = (c: CertifiedFrame): Uint8Array =>
  new CanonicalWriter(24_000).nested(encodeGlobalFrame(c.frame)).nested(encodeQuorumCertificate(c.qc)).finish()

export const decodeCertifiedFrameEither = (bytes: Uint8Array) =>
  decodeWhole(bytes, "CertifiedFrame", (r) =>
    Either.gen(function* () {
      const frame = yield* decodeGlobalFrame(yield* r.requiredNested("frame", 8_000_000))
      const qc = yield* decodeQuorumCertificate(yield* r.requiredNested("qc", 100_000))
      return { frame, qc } satisfies CertifiedFrame
    }),
  )

export const decodeCertifiedFrame = (bytes: Uint8Array): CertifiedFrame => orThrow(decodeCertifiedFrameEither(bytes), "committed frame")

export const encodeHead = (frameNumber: bigint): Uint8Array => new CanonicalWriter(8).u64(frameNumber).finish()
export const decodeHead = (bytes: Uint8Array): bigint =>
  orThrow(
    decodeWhole(bytes, "Head", (r) => r.u64("frame_number")),
    "head pointer",
  )

/** The committed head's frame number (0: only genesis), read inside a store read. */
export const committedHeadNumber = (rows: Repository<ConsensusKey, Uint8Array>): bigint => {
  const bytes = rows.get(HEAD_KEY)
  return bytes === undefined ? 0n : decodeHead(bytes)
}

export const encodeStoredProposal = (p: GlobalProposal): Uint8Array => encodeGlobalProposal(p)
export const decodeStoredProposal = (bytes: Uint8Array): GlobalProposal => orThrow(decodeGlobalProposal(bytes), "stored proposal")
