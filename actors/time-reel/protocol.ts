// Messages of a time-reel actor (/root/time-reel/global, or one per app shard). Frames are either
// kind; a reel refuses the other kind (and, for an app reel, other shard addresses) as `WrongReel`.
import { Schema } from "effect"
import { FrameRef } from "../event-distributor/index.ts"
import { AppShardFrame } from "../consensus/core/messages/app-shard-frame.ts"
import { GlobalFrame } from "../consensus/core/messages/global-frame.ts"
import { Protocol } from "../../runtime/kernel/index.ts"

const AnyFrame = Schema.Union(GlobalFrame, AppShardFrame)

/** Every reason an insert can be refused: the validators' checks (§10) plus the reel's own. */
export const RejectionReason = Schema.Literal(
  // actors/consensus/core/frame-rejection.ts
  "BadTimestamp",
  "BadDifficulty",
  "BadOutput",
  "BadParentSelector",
  "BadCommitments",
  "BadProverTreeCommitment",
  "BadRequestsRoot",
  "BadStateRoots",
  "BadAddress",
  "BadProver",
  "MissingSignature",
  "BadSignatureEncoding",
  "BadFrameNumber",
  "BadParent",
  "BadRank",
  "BadVdf",
  "BadBitmask",
  "BadAggregatePublicKey",
  "BadSignature",
  "BadMultiproof",
  "BadShardUpdate",
  // the reel's own
  /** Wrong frame kind, or an app frame for another shard (§2.3 step 1). */
  "WrongReel",
  /** A second, different genesis frame. */
  "ConflictingGenesis",
  /** At or below the tree's root with no parent in the tree: it can never attach. */
  "BelowRoot",
  /** Parent unknown and the pending buffer is full. */
  "PendingFull",
  /** Parent unknown and the frame is older than the pending max age (90 min, §2.1). */
  "TooOld",
  /** The committee could not be read from the prover registry. */
  "RegistryUnavailable",
)
export type RejectionReason = typeof RejectionReason.Type

export class InsertRejected extends Schema.TaggedError<InsertRejected>()("InsertRejected", {
  reason: RejectionReason,
  detail: Schema.String,
}) {}

const InsertAccepted = Schema.TaggedStruct("Accepted", {
  frameId: Schema.String,
  frameNumber: Schema.BigIntFromSelf,
  /** Whether this insert (with any pending descendants it released) moved the head. */
  headChanged: Schema.Boolean,
  head: FrameRef,
  /** Pending frames that were linked because this one arrived. */
  released: Schema.Number,
})
const InsertPending = Schema.TaggedStruct("Pending", {
  frameId: Schema.String,
  frameNumber: Schema.BigIntFromSelf,
  missingParent: Schema.Uint8ArrayFromSelf,
})
const InsertKnown = Schema.TaggedStruct("Known", { frameId: Schema.String })
export const InsertResult = Schema.Union(InsertAccepted, InsertPending, InsertKnown)
export type InsertResult = typeof InsertResult.Type

/** Validate and insert a frame (§2.3): accepted (linked), pending (parent unknown) or known. */
export class Insert extends Schema.TaggedRequest<Insert>()("Insert", {
  payload: { frame: AnyFrame },
  success: InsertResult,
  failure: InsertRejected,
}) {}

const HeadInfo = Schema.Struct({ frame: AnyFrame, frameId: Schema.String, selector: Schema.Uint8ArrayFromSelf })

export class Head extends Schema.TaggedRequest<Head>()("Head", {
  payload: {},
  success: Schema.NullOr(HeadInfo),
  failure: Schema.Never,
}) {}

/** The canonical frame with this number (from the store), or null. */
export class FrameByNumber extends Schema.TaggedRequest<FrameByNumber>()("FrameByNumber", {
  payload: { frameNumber: Schema.BigIntFromSelf },
  success: Schema.NullOr(AnyFrame),
  failure: Schema.Never,
}) {}

/** Canonical frames with from ≤ number ≤ to, ascending (at most `limit`, default 1000). */
export class Range extends Schema.TaggedRequest<Range>()("Range", {
  payload: { from: Schema.BigIntFromSelf, to: Schema.BigIntFromSelf, limit: Schema.optional(Schema.Int.pipe(Schema.positive())) },
  success: Schema.Array(AnyFrame),
  failure: Schema.Never,
}) {}

export class InvalidRewind extends Schema.TaggedError<InvalidRewind>()("InvalidRewind", { detail: Schema.String }) {}

/**
 * Move the head back to the canonical frame `frameNumber`, dropping everything above it from the tree
 * and the store (one commit, revert hook per dropped frame). Announced as a Fork whose new head is the
 * common ancestor itself, with the dropped frames as `reverted` (D-REEL-5).
 */
export class Rewind extends Schema.TaggedRequest<Rewind>()("Rewind", {
  payload: { frameNumber: Schema.BigIntFromSelf },
  success: Schema.Struct({ head: FrameRef, reverted: Schema.Number }),
  failure: InvalidRewind,
}) {}

/**
 * Re-announce the canonical frames from `fromFrameNumber` to the head as NewHead events with
 * `replay: true`, back to back (for a subscriber that lost events, or a restarted consumer).
 */
export class Replay extends Schema.TaggedRequest<Replay>()("Replay", {
  payload: { fromFrameNumber: Schema.BigIntFromSelf, limit: Schema.optional(Schema.Int.pipe(Schema.positive())) },
  success: Schema.Struct({ replayed: Schema.Number }),
  failure: Schema.Never,
}) {}

export const TreeInfo = Schema.Struct({
  nodes: Schema.Number,
  pending: Schema.Number,
  leaves: Schema.Number,
  rootFrameNumber: Schema.NullOr(Schema.BigIntFromSelf),
  headFrameNumber: Schema.NullOr(Schema.BigIntFromSelf),
})
export type TreeInfo = typeof TreeInfo.Type

export class GetTreeInfo extends Schema.TaggedRequest<GetTreeInfo>()("GetTreeInfo", {
  payload: {},
  success: TreeInfo,
  failure: Schema.Never,
}) {}

export const TimeReelProtocol = Protocol.make("TimeReel", Insert, Head, FrameByNumber, Range, Rewind, Replay, GetTreeInfo)
export type TimeReelMessage = Insert | Head | FrameByNumber | Range | Rewind | Replay | GetTreeInfo
