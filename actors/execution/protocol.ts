// Messages of the execution actor (/root/execution). In-process asks carry the objects as they
// are; bytes are Uint8Arrays and frame numbers bigints.
import { Schema } from "effect"
import { Protocol } from "../../runtime/kernel/index.ts"
import { FailureReason } from "./failure.ts"

const Bytes = Schema.Uint8ArrayFromSelf
const FrameNumber = Schema.BigIntFromSelf.pipe(Schema.filter((n) => (n >= 0n && n < 1n << 64n) || "expected a u64 frame number"))

const BundleResult = Schema.Union(
  Schema.TaggedStruct("Applied", { requests: Schema.Number, events: Schema.Number }),
  Schema.TaggedStruct("Failed", { reason: FailureReason, request: Schema.NullOr(Schema.Number), detail: Schema.String }),
)

const FrameApplied = Schema.Struct({
  /** One result per bundle, in frame order. */
  applied: Schema.Array(BundleResult),
  /** Atoms changed by the frame (its change record's length). */
  changes: Schema.Number,
  /** The execution root from the state committer (SHA-256 over every shard key's four id-set roots). */
  root: Bytes,
})

/** Frames apply in increasing order; a frame at or below the head is refused (revert first). */
export class FrameOutOfOrder extends Schema.TaggedError<FrameOutOfOrder>()("FrameOutOfOrder", {
  frameNumber: FrameNumber,
  head: Schema.NullOr(FrameNumber),
}) {}

/** The frame's write transaction failed; nothing of the frame was written. */
export class ExecutionCommitFailed extends Schema.TaggedError<ExecutionCommitFailed>()("ExecutionCommitFailed", { reason: Schema.String }) {}

/** Applies a certified frame's bundles and commits the frame in one write transaction. */
export class ApplyFrame extends Schema.TaggedRequest<ApplyFrame>()("ApplyFrame", {
  payload: {
    frameNumber: FrameNumber,
    bundles: Schema.Array(Bytes),
    /**
     * Record each bundle's outcome under its id (aligned with `bundles`), in the frame's own transaction:
     * the app shard's bundle-status index (bundle-status.ts).
     */
    decisions: Schema.optional(Schema.Struct({ shard: Bytes, ids: Schema.Array(Bytes) })),
  },
  success: FrameApplied,
  failure: Schema.Union(FrameOutOfOrder, ExecutionCommitFailed),
}) {}

/** The indices of the candidates a proposal may carry together (no write conflicts), in candidate order. */
export class SelectForProposal extends Schema.TaggedRequest<SelectForProposal>()("SelectForProposal", {
  payload: { frameNumber: FrameNumber, candidates: Schema.Array(Bytes) },
  success: Schema.Struct({
    /** Candidates a proposal may carry together, in candidate order. */
    selected: Schema.Array(Schema.Number),
    /** Candidates that do not resolve against committed state, with why (lock conflicts are neither). */
    refused: Schema.Array(Schema.Struct({ index: Schema.Number, reason: FailureReason, detail: Schema.String })),
  }),
  failure: Schema.Never,
}) {}

/** Undoes every committed frame above `toFrame`, newest first (the event distributor's rewind). */
export class Revert extends Schema.TaggedRequest<Revert>()("Revert", {
  payload: { toFrame: FrameNumber },
  success: Schema.Struct({ reverted: Schema.Array(FrameNumber), head: Schema.NullOr(FrameNumber) }),
  failure: ExecutionCommitFailed,
}) {}

const IntrinsicInfo = Schema.Struct({ name: Schema.String, version: Schema.String, baseDomain: Schema.String, opTypes: Schema.Array(Schema.Number) })

export class ListIntrinsics extends Schema.TaggedRequest<ListIntrinsics>()("ListIntrinsics", {
  payload: {},
  success: Schema.Array(IntrinsicInfo),
  failure: Schema.Never,
}) {}

export class QueryFailed extends Schema.TaggedError<QueryFailed>()("QueryFailed", {
  kind: Schema.Literal("unknown-intrinsic", "unknown-query", "bad-request", "not-found", "failed"),
  reason: Schema.String,
}) {}

/** Runs an intrinsic's read-only query against committed state; the result is the query's encoded form. */
export class Query extends Schema.TaggedRequest<Query>()("Query", {
  payload: { intrinsic: Schema.String, name: Schema.String, args: Schema.Unknown },
  success: Schema.Unknown,
  failure: QueryFailed,
}) {}

/** The newest committed frame (null before the first). */
export class GetHead extends Schema.TaggedRequest<GetHead>()("GetHead", {
  payload: {},
  success: Schema.NullOr(FrameNumber),
  failure: Schema.Never,
}) {}

/** A shard query the committer cannot answer (`bad-request`: a malformed address, set or id; an absent id). */
export class ShardQueryFailed extends Schema.TaggedError<ShardQueryFailed>()("ShardQueryFailed", {
  kind: Schema.Literal("bad-request", "failed"),
  reason: Schema.String,
}) {}

/**
 * CommitShard (spec §3.6), an app frame's `state_roots`: for a 32–64-byte shard address, the
 * commitments of the nodes covering `fullPath(L2) ‖ shardAddress[32:]` in the four id-sets
 * (vertex-adds, vertex-removes, hyperedge-adds, hyperedge-removes; 64 zero bytes where none), as of
 * the newest committed frame at or below `frameNumber` (answered; null: none, all roots empty).
 */
export class GetShardRoots extends Schema.TaggedRequest<GetShardRoots>()("GetShardRoots", {
  payload: { frameNumber: FrameNumber, shardAddress: Bytes },
  success: Schema.Struct({ frameNumber: Schema.NullOr(FrameNumber), roots: Schema.Array(Bytes) }),
  failure: ShardQueryFailed,
}) {}

/** A traversal proof (spec §3.5 bytes) of `ids` in id-set `set` (0..3) of app `shardAddress` (L2), on the committed tries. */
export class ProveAtoms extends Schema.TaggedRequest<ProveAtoms>()("ProveAtoms", {
  payload: { shardAddress: Bytes, set: Schema.Int.pipe(Schema.between(0, 3)), ids: Schema.Array(Bytes) },
  success: Bytes,
  failure: ShardQueryFailed,
}) {}

export const ExecutionProtocol = Protocol.make("Execution", ApplyFrame, SelectForProposal, Revert, ListIntrinsics, Query, GetHead, GetShardRoots, ProveAtoms)
export type ExecutionMessage = ApplyFrame | SelectForProposal | Revert | ListIntrinsics | Query | GetHead | GetShardRoots | ProveAtoms
