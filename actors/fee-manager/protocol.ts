// Messages of the fee-manager actor (/root/fee-manager): one vote window per filter (consensus.md §6).
// `filter` is the shard address (empty for the global chain, whose headers carry no vote).
import { Schema } from "effect"
import { Protocol } from "../../runtime/kernel/index.ts"

const Bytes = Schema.Uint8ArrayFromSelf
const U64 = Schema.BigIntFromSelf

/** `AddFrameFeeVote`: a canonical frame's vote; ignored unless above the window's last frame. */
export class RecordFeeVote extends Schema.TaggedClass<RecordFeeVote>()("RecordFeeVote", { filter: Bytes, frameNumber: U64, vote: U64 }) {}

/** `RewindToFrame`: a fork replaced every frame above `toFrame`; their votes no longer count. */
export class RewindFeeVotes extends Schema.TaggedClass<RewindFeeVotes>()("RewindFeeVotes", { filter: Bytes, toFrame: U64 }) {}

/** `GetNextFeeMultiplier(filter)`: the window's average, 100 without votes. */
export class NextFeeMultiplier extends Schema.TaggedRequest<NextFeeMultiplier>()("NextFeeMultiplier", {
  payload: { filter: Bytes },
  success: U64,
  failure: Schema.Never,
}) {}

/**
 * The vote a leader of `filter` puts in its next header: the multiplier adjusted ±10 % for traffic
 * from the timestamps of the last two committed frames (`dtMs` absent before frame 2).
 */
export class ProposerFeeVote extends Schema.TaggedRequest<ProposerFeeVote>()("ProposerFeeVote", {
  payload: { filter: Bytes, dtMs: Schema.optional(U64) },
  success: U64,
  failure: Schema.Never,
}) {}

const FeeWindowInfo = Schema.Struct({ filter: Bytes, multiplier: U64, votes: Schema.Number, lastFrame: Schema.NullOr(U64) })

/** Every window this manager keeps (the admin API's `GET /v1/fees`). */
export class FeeSnapshot extends Schema.TaggedRequest<FeeSnapshot>()("FeeSnapshot", {
  payload: {},
  success: Schema.Array(FeeWindowInfo),
  failure: Schema.Never,
}) {}

export const FeeManagerProtocol = Protocol.make("FeeManager", RecordFeeVote, RewindFeeVotes, NextFeeMultiplier, ProposerFeeVote, FeeSnapshot)
export type FeeManagerMessage = RecordFeeVote | RewindFeeVotes | NextFeeMultiplier | ProposerFeeVote | FeeSnapshot
