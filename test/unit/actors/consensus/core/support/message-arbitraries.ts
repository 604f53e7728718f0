// fast-check arbitraries of valid consensus messages: every field within the reference decoder's limits
// (consensus.md §0), optional fields present or absent. Sizes are kept small where the limit allows far
// more, so each property stays fast; the limits themselves are exercised by the length-field mutations.
import fc from "fast-check"
import { TypePrefix } from "../../../../../../actors/consensus/core/canonical/type-prefix.ts"
import { AppFrameHeader } from "../../../../../../actors/consensus/core/messages/app-frame-header.ts"
import { AppShardFrame } from "../../../../../../actors/consensus/core/messages/app-shard-frame.ts"
import { GlobalFrame } from "../../../../../../actors/consensus/core/messages/global-frame.ts"
import { GlobalFrameHeader } from "../../../../../../actors/consensus/core/messages/global-frame-header.ts"
import { ProposalVote } from "../../../../../../actors/consensus/core/messages/proposal-vote.ts"
import { AppShardProposal, GlobalProposal } from "../../../../../../actors/consensus/core/messages/proposals.ts"
import { ProverLivenessCheck } from "../../../../../../actors/consensus/core/messages/prover-liveness-check.ts"
import { QuorumCertificate } from "../../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import { BLS_PUBLIC_KEY_BYTES, BLS48581AddressedSignature, BLS48581AggregateSignature } from "../../../../../../actors/consensus/core/messages/signatures.ts"
import { TimeoutCertificate } from "../../../../../../actors/consensus/core/messages/timeout-certificate.ts"
import { TimeoutState } from "../../../../../../actors/consensus/core/messages/timeout-state.ts"

export const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
export const i64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })
const u32 = fc.integer({ min: 0, max: 0xffff_ffff })
const bytes = (maxLength: number, minLength = 0) => fc.uint8Array({ minLength, maxLength })
const exactly = (length: number) => fc.uint8Array({ minLength: length, maxLength: length })

/** A record with the keys of `optional` present or absent (never present-but-undefined: Schema classes omit them). */
const withOptional = <R extends object, O extends Record<string, fc.Arbitrary<unknown>>>(required: fc.Arbitrary<R>, optional: O) =>
  fc
    .tuple(required, fc.record(optional, { requiredKeys: [] }))
    .map(([r, o]) => ({ ...r, ...o }) as R & { [K in keyof O]?: O[K] extends fc.Arbitrary<infer T> ? T : never })

export const addressedSignature = (signatureMax = 90) =>
  fc.record({ signature: bytes(signatureMax), address: bytes(32) }).map((f) => new BLS48581AddressedSignature(f))

/**
 * Sized for the tightest container (GlobalFrameHeader allows 711 bytes): 74-byte signature, 585-byte
 * key, 32-byte bitmask at most.
 */
export const aggregateSignature = withOptional(fc.record({ signature: bytes(74), bitmask: bytes(32) }), {
  publicKey: exactly(BLS_PUBLIC_KEY_BYTES),
}).map((f) => new BLS48581AggregateSignature(f))

export const quorumCertificate = withOptional(fc.record({ filter: bytes(64), rank: u64, frameNumber: u64, selector: bytes(32), timestamp: u64 }), {
  aggregateSignature,
}).map((f) => new QuorumCertificate(f))

export const proposalVote = withOptional(fc.record({ filter: bytes(64), rank: u64, frameNumber: u64, selector: bytes(32), timestamp: u64 }), {
  publicKeySignatureBls48581: addressedSignature(),
}).map((f) => new ProposalVote(f))

export const timeoutCertificate = withOptional(fc.record({ filter: bytes(64), rank: u64, latestRanks: fc.array(u64, { maxLength: 8 }), timestamp: u64 }), {
  latestQuorumCertificate: quorumCertificate,
  aggregateSignature,
}).map((f) => new TimeoutCertificate(f))

export const timeoutState = withOptional(fc.record({ timeoutTick: u64, timestamp: u64 }), {
  latestQuorumCertificate: quorumCertificate,
  priorRankTimeoutCertificate: timeoutCertificate,
  vote: proposalVote,
}).map((f) => new TimeoutState(f))

/** The reference requires the signature at decode time; it must fit 118 bytes with its prefix and lengths. */
export const proverLivenessCheck = fc
  .record({
    filter: bytes(64),
    rank: u64,
    frameNumber: u64,
    timestamp: u64,
    commitmentHash: bytes(80),
    publicKeySignatureBls48581: addressedSignature(74),
  })
  .map((f) => new ProverLivenessCheck(f))

export const globalFrameHeader = withOptional(
  fc.record({
    frameNumber: u64,
    rank: u64,
    timestamp: i64,
    difficulty: u32,
    output: bytes(516),
    parentSelector: bytes(32),
    globalCommitments: fc.array(bytes(74), { maxLength: 6 }),
    proverTreeCommitment: bytes(74),
    requestsRoot: bytes(74),
    prover: bytes(32),
  }),
  { publicKeySignatureBls48581: aggregateSignature },
).map((f) => new GlobalFrameHeader(f))

/** The reference decoder requires exactly 516 output bytes and exactly 4 state roots. */
export const appFrameHeader = withOptional(
  fc.record({
    address: bytes(64),
    frameNumber: u64,
    rank: u64,
    timestamp: i64,
    difficulty: u32,
    output: exactly(516),
    parentSelector: bytes(32),
    requestsRoot: bytes(74),
    stateRoots: fc.array(bytes(74), { minLength: 4, maxLength: 4 }),
    prover: bytes(32),
    feeMultiplierVote: u64,
  }),
  { publicKeySignatureBls48581: aggregateSignature },
).map((f) => new AppFrameHeader(f))

/** Opaque MessageBundle bytes: consensus checks only the type prefix. */
const messageBundleBytes = bytes(40).map((body) => {
  const out = new Uint8Array(4 + body.length)
  new DataView(out.buffer).setUint32(0, TypePrefix.MessageBundle, false)
  out.set(body, 4)
  return out
})

export const globalFrame = fc.record({ header: globalFrameHeader, requests: fc.array(messageBundleBytes, { maxLength: 3 }) }).map((f) => new GlobalFrame(f))

export const appShardFrame = fc.record({ header: appFrameHeader, requests: fc.array(messageBundleBytes, { maxLength: 3 }) }).map((f) => new AppShardFrame(f))

export const globalProposal = withOptional(fc.record({ state: globalFrame, parentQuorumCertificate: quorumCertificate, vote: proposalVote }), {
  priorRankTimeoutCertificate: timeoutCertificate,
}).map((f) => new GlobalProposal(f))

export const appShardProposal = withOptional(fc.record({ state: appShardFrame, parentQuorumCertificate: quorumCertificate, vote: proposalVote }), {
  priorRankTimeoutCertificate: timeoutCertificate,
}).map((f) => new AppShardProposal(f))
