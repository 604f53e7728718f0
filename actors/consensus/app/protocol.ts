// Messages of an app shard's consensus actor: the global consensus actor's (network traffic, timers and
// sync answers as tells; status and committed frames as asks), under the shard actor's own protocol.
import { Schema } from "effect"
import { Protocol } from "../../../runtime/kernel/index.ts"
import { GetCommitted, GetStatus, Inbound, LocalTimeout, ProposeDue, SyncAnswered } from "../global/protocol.ts"

/** The coverage monitor's periodic look at who covers the shard (D-APP-13). */
export class CheckCoverage extends Schema.TaggedClass<CheckCoverage>()("CheckCoverage", {}) {}

const ShardCoverage = Schema.Struct({
  /** provers of the committee reachable on the shard's consensus channel, this one included */
  covering: Schema.Int,
  /** how many a quorum needs */
  needed: Schema.Int,
  halted: Schema.Boolean,
})

export class GetCoverage extends Schema.TaggedRequest<GetCoverage>()("GetCoverage", {
  payload: {},
  success: ShardCoverage,
  failure: Schema.Never,
}) {}

export const AppShardConsensusProtocol = Protocol.make(
  "AppShardConsensus",
  Inbound,
  LocalTimeout,
  ProposeDue,
  SyncAnswered,
  GetStatus,
  GetCommitted,
  CheckCoverage,
  GetCoverage,
)
export type AppShardConsensusMessage = Inbound | LocalTimeout | ProposeDue | SyncAnswered | GetStatus | GetCommitted | CheckCoverage | GetCoverage
