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
  /** The execution root from the state committer (a placeholder until the trie is plugged in). */
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
  payload: { frameNumber: FrameNumber, bundles: Schema.Array(Bytes) },
  success: FrameApplied,
  failure: Schema.Union(FrameOutOfOrder, ExecutionCommitFailed),
}) {}

/** The indices of the candidates a proposal may carry together (no write conflicts), in candidate order. */
export class SelectForProposal extends Schema.TaggedRequest<SelectForProposal>()("SelectForProposal", {
  payload: { frameNumber: FrameNumber, candidates: Schema.Array(Bytes) },
  success: Schema.Array(Schema.Number),
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

export const ExecutionProtocol = Protocol.make("Execution", ApplyFrame, SelectForProposal, Revert, ListIntrinsics, Query, GetHead)
export type ExecutionMessage = ApplyFrame | SelectForProposal | Revert | ListIntrinsics | Query | GetHead
