import { Effect, Option } from "effect"
import {
  InconsistentRanks,
  InsufficientWeight,
  InvalidCertificateSignature,
  MalformedCertificate,
  SignerSetMismatch,
  UnknownSigner,
} from "./certificate-rejection.ts"
import { bytesEqual } from "./messages/fields.ts"
import type { ProposalVote } from "./messages/proposal-vote.ts"
import { encodeQuorumCertificate, type QuorumCertificate } from "./messages/quorum-certificate.ts"
import { BLS_PUBLIC_KEY_BYTES, BLS_SIGNATURE_BYTES, MAX_BITMASK_BYTES, MAX_VOTE_SIGNATURE_BYTES } from "./messages/signatures.ts"
import type { TimeoutCertificate } from "./messages/timeout-certificate.ts"
import { type ActiveProver, bitmaskSigners, indexOfAddress, meetsQuorum, quorumThreshold } from "./prover-ring.ts"
import { BlsVerifier } from "../../../crates/ts/services.ts"
import { makeTimeoutMessage, makeVoteMessage, timeoutDomain, voteDomain } from "./signed-messages.ts"
import type { VerifiedCertificates } from "./verified-certificates.ts"

/**
 * Vote, QC and TC checks of the HotStuff validator (consensus.md §3.9) over a committee snapshot
 * (`GetActiveProvers(filter)`, address-sorted). For app filters only the first 74 signature bytes are
 * BLS material; the rest may be appended VDF multiproofs (§1.4).
 */

const signatureCore = (filter: Uint8Array, signature: Uint8Array): Uint8Array => (filter.length === 0 ? signature : signature.subarray(0, BLS_SIGNATURE_BYTES))

const verifyOrReject = (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array, domain: Uint8Array, what: string) =>
  Effect.gen(function* () {
    const bls = yield* BlsVerifier
    const ok = yield* bls
      .verify(publicKey, signature, message, domain)
      .pipe(Effect.mapError((e) => new InvalidCertificateSignature({ detail: `${what}: verifier failed: ${e.reason}` })))
    if (!ok) return yield* Effect.fail(new InvalidCertificateSignature({ detail: `${what} does not verify` }))
  })

/** `ProposalVote.Validate` (§1.10): selector empty (timeout votes) or 32 bytes, signature present and sized. */
const checkVoteShape = (vote: ProposalVote) =>
  Effect.gen(function* () {
    if (vote.selector.length !== 0 && vote.selector.length !== 32) {
      return yield* Effect.fail(new MalformedCertificate({ detail: `vote selector is ${vote.selector.length} bytes` }))
    }
    const sig = vote.publicKeySignatureBls48581
    if (sig === undefined) return yield* Effect.fail(new MalformedCertificate({ detail: "vote has no signature" }))
    if (sig.address.length !== 32) return yield* Effect.fail(new MalformedCertificate({ detail: `voter address is ${sig.address.length} bytes` }))
    const allowed = vote.filter.length === 0 ? [BLS_SIGNATURE_BYTES] : [BLS_SIGNATURE_BYTES, MAX_VOTE_SIGNATURE_BYTES]
    if (!allowed.includes(sig.signature.length)) {
      return yield* Effect.fail(new MalformedCertificate({ detail: `vote signature is ${sig.signature.length} bytes` }))
    }
    return sig
  })

/**
 * `ValidateVote`: the voter must be in the committee and its signature must verify over
 * `MakeVoteMessage(filter, rank, selector)` with the vote domain. Returns the voter's committee index.
 */
export const validateVote = (vote: ProposalVote, committee: ReadonlyArray<ActiveProver>) =>
  Effect.gen(function* () {
    const { sig, index, voter } = yield* checkVoteVoter(vote, committee)
    yield* verifyOrReject(
      voter.publicKey,
      signatureCore(vote.filter, sig.signature),
      makeVoteMessage(vote.filter, vote.rank, vote.selector),
      voteDomain(vote.filter),
      "vote signature",
    )
    return index
  })

/**
 * Every check of `ValidateVote` except the signature: shape, 32-byte selector, voter in the committee.
 * For callers that verify signatures in aggregate (the vote collector, D-GC-14).
 */
export const checkVoteVoter = (vote: ProposalVote, committee: ReadonlyArray<ActiveProver>) =>
  Effect.gen(function* () {
    const sig = yield* checkVoteShape(vote)
    if (vote.selector.length !== 32) return yield* Effect.fail(new MalformedCertificate({ detail: "a state vote needs a 32-byte selector" }))
    const index = indexOfAddress(committee, sig.address)
    const voter = Option.isSome(index) ? committee[index.value] : undefined
    if (Option.isNone(index) || voter === undefined) {
      return yield* Effect.fail(new UnknownSigner({ detail: "voter is not an active prover for the filter" }))
    }
    return { sig, index: index.value, voter }
  })

/** A timeout's vote: signed over `MakeTimeoutMessage(filter, rank, newestQCRank)` with the timeout domain (§3.8). */
export const validateTimeoutVote = (vote: ProposalVote, newestQcRank: bigint, committee: ReadonlyArray<ActiveProver>) =>
  Effect.gen(function* () {
    const sig = yield* checkVoteShape(vote)
    const index = indexOfAddress(committee, sig.address)
    const signer = Option.isSome(index) ? committee[index.value] : undefined
    if (Option.isNone(index) || signer === undefined) {
      return yield* Effect.fail(new UnknownSigner({ detail: "timeout signer is not an active prover for the filter" }))
    }
    yield* verifyOrReject(
      signer.publicKey,
      signatureCore(vote.filter, sig.signature),
      makeTimeoutMessage(vote.filter, vote.rank, newestQcRank),
      timeoutDomain(vote.filter),
      "timeout signature",
    )
    return index.value
  })

export interface QuorumCertificateValidationInput {
  readonly qc: QuorumCertificate
  readonly committee: ReadonlyArray<ActiveProver>
  /** The stored genesis QC: a rank-0 QC is accepted only if it equals this one byte for byte. */
  readonly genesis?: QuorumCertificate
  /** Certificates already validated against this committee and genesis: a hit skips the checks (and the pairing). */
  readonly verified?: VerifiedCertificates
}

/** Bitmask → signers, weight ≥ threshold, aggregate key equality (§3.9 steps 1–2, 3.3). */
const checkAggregateSigners = (filter: Uint8Array, bitmask: Uint8Array, publicKey: Uint8Array | undefined, committee: ReadonlyArray<ActiveProver>) =>
  Effect.gen(function* () {
    const selected = bitmaskSigners(committee, bitmask)
    if (selected._tag === "BitmaskTooShort") {
      return yield* Effect.fail(new MalformedCertificate({ detail: `bitmask ${selected.length} bytes, committee needs ${selected.required}` }))
    }
    if (selected._tag === "BitmaskIndexOutOfRange") {
      return yield* Effect.fail(new UnknownSigner({ detail: `bit ${selected.index} set but only ${selected.committeeSize} active provers` }))
    }
    const threshold = quorumThreshold(filter, committee)
    if (!meetsQuorum(selected.weight, selected.signers.length, threshold)) {
      return yield* Effect.fail(new InsufficientWeight({ detail: `${selected.signers.length} signers with weight ${selected.weight}, threshold ${threshold}` }))
    }
    const bls = yield* BlsVerifier
    const aggregate = yield* bls
      .aggregatePublicKeys(selected.signers.map((p) => p.publicKey))
      .pipe(Effect.mapError((e) => new SignerSetMismatch({ detail: `aggregation failed: ${e.reason}` })))
    if (publicKey === undefined || !bytesEqual(aggregate, publicKey)) {
      return yield* Effect.fail(new SignerSetMismatch({ detail: "aggregate public key ≠ aggregate of the bitmask's provers" }))
    }
    return selected.signers
  })

/** `ValidateQuorumCertificate` + `VerifyQuorumCertificate` (§3.9). */
export const validateQuorumCertificate = (input: QuorumCertificateValidationInput) =>
  Effect.gen(function* () {
    const { qc, committee } = input
    if (qc.selector.length !== 32) return yield* Effect.fail(new MalformedCertificate({ detail: `QC selector is ${qc.selector.length} bytes` }))
    const agg = qc.aggregateSignature
    if (agg === undefined) return yield* Effect.fail(new MalformedCertificate({ detail: "QC has no aggregate signature" }))
    if (qc.rank === 0n) {
      if (input.genesis !== undefined && bytesEqual(encodeQuorumCertificate(qc), encodeQuorumCertificate(input.genesis))) return
      return yield* Effect.fail(new MalformedCertificate({ detail: "a rank-0 QC must equal the stored genesis QC" }))
    }
    if (input.verified?.hasQuorumCertificate(qc) === true) return
    if (agg.signature.length < BLS_SIGNATURE_BYTES || agg.bitmask.length > MAX_BITMASK_BYTES) {
      return yield* Effect.fail(new MalformedCertificate({ detail: `signature ${agg.signature.length} bytes, bitmask ${agg.bitmask.length} bytes` }))
    }
    if (agg.publicKey !== undefined && agg.publicKey.length !== BLS_PUBLIC_KEY_BYTES) {
      return yield* Effect.fail(new MalformedCertificate({ detail: "QC public key is not 585 bytes" }))
    }
    yield* checkAggregateSigners(qc.filter, agg.bitmask, agg.publicKey, committee)
    const publicKey = agg.publicKey ?? new Uint8Array()
    const signature = signatureCore(qc.filter, agg.signature)
    const message = makeVoteMessage(qc.filter, qc.rank, qc.selector)
    const domain = voteDomain(qc.filter)
    if (input.verified?.hasAggregateSignature(publicKey, signature, message, domain) !== true) {
      yield* verifyOrReject(publicKey, signature, message, domain, "QC aggregate signature")
      input.verified?.addAggregateSignature(publicKey, signature, message, domain)
    }
    input.verified?.addQuorumCertificate(qc)
  })

/** `ValidateTimeoutCertificate` (§3.9): multi-message aggregate over each signer's newest-QC rank. */
export const validateTimeoutCertificate = (input: {
  readonly tc: TimeoutCertificate
  readonly committee: ReadonlyArray<ActiveProver>
  readonly genesis?: QuorumCertificate
  readonly verified?: VerifiedCertificates
}) =>
  Effect.gen(function* () {
    const { tc, committee } = input
    if (input.verified?.hasTimeoutCertificate(tc) === true) return
    const qc = tc.latestQuorumCertificate
    if (qc === undefined) return yield* Effect.fail(new MalformedCertificate({ detail: "TC has no newest QC" }))
    if (tc.rank < qc.rank) return yield* Effect.fail(new InconsistentRanks({ detail: `TC rank ${tc.rank} < its QC rank ${qc.rank}` }))
    const agg = tc.aggregateSignature
    if (agg === undefined) return yield* Effect.fail(new MalformedCertificate({ detail: "TC has no aggregate signature" }))
    if (agg.signature.length < BLS_SIGNATURE_BYTES) return yield* Effect.fail(new MalformedCertificate({ detail: "TC signature shorter than 74 bytes" }))
    const signers = yield* checkAggregateSigners(tc.filter, agg.bitmask, agg.publicKey, committee)
    if (tc.latestRanks.length !== signers.length) {
      return yield* Effect.fail(new InconsistentRanks({ detail: `${tc.latestRanks.length} latest ranks for ${signers.length} signers` }))
    }
    for (const r of tc.latestRanks) {
      if (r > qc.rank) return yield* Effect.fail(new InconsistentRanks({ detail: `a signer's newest QC rank ${r} exceeds the TC's QC rank ${qc.rank}` }))
    }
    const bls = yield* BlsVerifier
    const publicKeys = signers.map((p) => p.publicKey)
    const messages = tc.latestRanks.map((r) => makeTimeoutMessage(tc.filter, tc.rank, r))
    const signature = signatureCore(tc.filter, agg.signature)
    const domain = timeoutDomain(tc.filter)
    if (input.verified?.hasMultiMessageSignature(publicKeys, messages, signature, domain) !== true) {
      const ok = yield* bls
        .verifyMultiMessage(publicKeys, messages, signature, domain)
        .pipe(Effect.mapError((e) => new InvalidCertificateSignature({ detail: `TC verifier failed: ${e.reason}` })))
      if (!ok) return yield* Effect.fail(new InvalidCertificateSignature({ detail: "TC aggregate signature does not verify" }))
      input.verified?.addMultiMessageSignature(publicKeys, messages, signature, domain)
    }
    yield* validateQuorumCertificate({
      qc,
      committee,
      ...(input.genesis === undefined ? {} : { genesis: input.genesis }),
      ...(input.verified === undefined ? {} : { verified: input.verified }),
    })
    input.verified?.addTimeoutCertificate(tc)
  })
