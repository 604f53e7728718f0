import { Data } from "effect"

/** Why a vote, QC, TC or proposal was rejected (consensus.md §1.10, §3.8, §3.9). */
export class MalformedCertificate extends Data.TaggedError("MalformedCertificate")<{ readonly detail: string }> {}
export class UnknownSigner extends Data.TaggedError("UnknownSigner")<{ readonly detail: string }> {}
export class InsufficientWeight extends Data.TaggedError("InsufficientWeight")<{ readonly detail: string }> {}
export class SignerSetMismatch extends Data.TaggedError("SignerSetMismatch")<{ readonly detail: string }> {}
export class InvalidCertificateSignature extends Data.TaggedError("InvalidCertificateSignature")<{ readonly detail: string }> {}
export class InconsistentRanks extends Data.TaggedError("InconsistentRanks")<{ readonly detail: string }> {}

/** The proposer is not `LeaderForRank(rank)`, or the proposal's vote is not the proposer's. */
export class WrongProposer extends Data.TaggedError("WrongProposer")<{ readonly detail: string }> {}
/** QC/TC evidence does not justify entering the proposal's rank (§3.6, §3.9 step 3). */
export class BadRankEvidence extends Data.TaggedError("BadRankEvidence")<{ readonly detail: string }> {}

export type CertificateRejection =
  | WrongProposer
  | BadRankEvidence
  | MalformedCertificate
  | UnknownSigner
  | InsufficientWeight
  | SignerSetMismatch
  | InvalidCertificateSignature
  | InconsistentRanks
