import { Data } from "effect"

/**
 * Why a frame header was rejected (consensus.md §1.1–1.4, §1.9, §10). One tag per check so callers and
 * tests can tell exactly which rule failed; `detail` is for logs only.
 */
export class BadTimestamp extends Data.TaggedError("BadTimestamp")<{ readonly detail: string }> {}
export class BadDifficulty extends Data.TaggedError("BadDifficulty")<{ readonly detail: string }> {}
export class BadOutput extends Data.TaggedError("BadOutput")<{ readonly detail: string }> {}
export class BadParentSelector extends Data.TaggedError("BadParentSelector")<{ readonly detail: string }> {}
export class BadCommitments extends Data.TaggedError("BadCommitments")<{ readonly detail: string }> {}
export class BadProverTreeCommitment extends Data.TaggedError("BadProverTreeCommitment")<{ readonly detail: string }> {}
export class BadRequestsRoot extends Data.TaggedError("BadRequestsRoot")<{ readonly detail: string }> {}
export class BadStateRoots extends Data.TaggedError("BadStateRoots")<{ readonly detail: string }> {}
export class BadAddress extends Data.TaggedError("BadAddress")<{ readonly detail: string }> {}
export class BadProver extends Data.TaggedError("BadProver")<{ readonly detail: string }> {}
export class MissingSignature extends Data.TaggedError("MissingSignature")<{ readonly detail: string }> {}
export class BadSignatureEncoding extends Data.TaggedError("BadSignatureEncoding")<{ readonly detail: string }> {}
/** The child does not extend the given parent: frame number is not parent + 1. */
export class BadFrameNumber extends Data.TaggedError("BadFrameNumber")<{ readonly detail: string }> {}
/** parent_selector ≠ poseidon(parent.output). */
export class BadParent extends Data.TaggedError("BadParent")<{ readonly detail: string }> {}
/** rank < parent.rank + 1 (§1.9). */
export class BadRank extends Data.TaggedError("BadRank")<{ readonly detail: string }> {}
export class BadVdf extends Data.TaggedError("BadVdf")<{ readonly detail: string }> {}
export class BadBitmask extends Data.TaggedError("BadBitmask")<{ readonly detail: string }> {}
/** The header's aggregate public key is not the aggregate of the bitmask-selected provers' keys. */
export class BadAggregatePublicKey extends Data.TaggedError("BadAggregatePublicKey")<{ readonly detail: string }> {}
export class BadSignature extends Data.TaggedError("BadSignature")<{ readonly detail: string }> {}
export class BadMultiproof extends Data.TaggedError("BadMultiproof")<{ readonly detail: string }> {}

export type ShardUpdateReason =
  /** Not a MessageBundle with exactly one FrameHeader request. */
  | "undecodable"
  /** The bundle's timestamp is not the header's. */
  | "bundle-timestamp"
  /** A second update for the same shard in one global frame. */
  | "duplicate-shard"
  /** Shard frame 0, or not below the global frame number. */
  | "frame-number"
  /** More than SHARD_UPDATE_WINDOW global frames behind. */
  | "stale"
  /** Not above the last update for that shard on this branch. */
  | "replayed"
  /** The header's own rules or VDF (validateAppFrame). */
  | "header"
  | "signature-encoding"
  | "bitmask"
  | "participation"
  | "aggregate-public-key"
  | "signature"

/** A global frame carries a ProverShardUpdate that fails `reason`; the frame is rejected. */
export class BadShardUpdate extends Data.TaggedError("BadShardUpdate")<{
  readonly reason: ShardUpdateReason
  /** Position of the request in the frame. */
  readonly index: number
  readonly detail: string
}> {}

export type FrameRejection =
  | BadTimestamp
  | BadDifficulty
  | BadOutput
  | BadParentSelector
  | BadCommitments
  | BadProverTreeCommitment
  | BadRequestsRoot
  | BadStateRoots
  | BadAddress
  | BadProver
  | MissingSignature
  | BadSignatureEncoding
  | BadFrameNumber
  | BadParent
  | BadRank
  | BadVdf
  | BadBitmask
  | BadAggregatePublicKey
  | BadSignature
  | BadMultiproof
  | BadShardUpdate
