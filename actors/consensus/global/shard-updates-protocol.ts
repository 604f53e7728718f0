// Messages of the master's shard-update pool (/root/shard-updates). A data worker submits each finalized
// (hence certified) app-shard header with its QC (consensus.md §4.5 step 1, the reference's
// SubmitGlobalMessage); the global consensus takes the pending headers when it leads and reports what
// committed frames carried. All Schema: submissions cross the worker link.
import { Schema } from "effect"
import { Protocol } from "../../../runtime/kernel/index.ts"
import { AppFrameHeader } from "../core/messages/app-frame-header.ts"

const Bytes = Schema.Uint8ArrayFromSelf
const U64 = Schema.BigIntFromSelf

export const SHARD_UPDATES_NAME = "shard-updates"
export const SHARD_UPDATES_PATH = `/root/${SHARD_UPDATES_NAME}`

/** The submission is not a certified header of its QC; nothing was kept. */
export class ShardUpdateRefused extends Schema.TaggedError<ShardUpdateRefused>()("ShardUpdateRefused", {
  reason: Schema.Literal("undecodable", "uncertified", "certificate-mismatch", "genesis"),
  detail: Schema.String,
}) {}

/** A committed app-shard frame's header (signature = its QC's aggregate, §1.4 step 3) and that QC, canonical bytes. */
export class SubmitShardUpdate extends Schema.TaggedRequest<SubmitShardUpdate>()("SubmitShardUpdate", {
  failure: ShardUpdateRefused,
  success: Schema.Struct({
    outcome: Schema.Literal("added", "duplicate", "superseded"),
    /** The master's committed global head: the frame numbers the shard's frames follow (D-APP-5). */
    globalHead: U64,
  }),
  payload: { header: Bytes, quorumCertificate: Bytes },
}) {}

/**
 * The master's committed global head, without a submission: an app leader held back by the lead bound
 * (app D-APP-17) asks it, since a shard that waits makes no frames to submit and would never hear it move.
 */
export class GetGlobalHead extends Schema.TaggedRequest<GetGlobalHead>()("GetGlobalHead", {
  failure: Schema.Never,
  success: Schema.Struct({ globalHead: U64 }),
  payload: {},
}) {}

/** What a global leader may propose: every pending header, per shard newest first (local only). */
export class PendingShardUpdates extends Schema.TaggedRequest<PendingShardUpdates>()("PendingShardUpdates", {
  failure: Schema.Never,
  success: Schema.Array(AppFrameHeader),
  payload: {},
}) {}

/** Committed global frames carried these updates: they, and older ones of the same shards, leave the pool. */
export class ShardUpdatesCommitted extends Schema.TaggedClass<ShardUpdatesCommitted>()("ShardUpdatesCommitted", {
  updates: Schema.Array(Schema.Struct({ address: Schema.String, frameNumber: U64 })),
}) {}

export const ShardUpdatesProtocol = Protocol.make("ShardUpdates", SubmitShardUpdate, GetGlobalHead, PendingShardUpdates, ShardUpdatesCommitted)
export type ShardUpdatesMessage = SubmitShardUpdate | GetGlobalHead | PendingShardUpdates | ShardUpdatesCommitted
