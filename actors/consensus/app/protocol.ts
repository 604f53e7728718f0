// Messages of an app shard's consensus actor: the global consensus actor's (network traffic, timers and
// sync answers as tells; status and committed frames as asks), under the shard actor's own protocol.
import { Protocol } from "../../../runtime/kernel/index.ts"
import { GetCommitted, GetStatus, Inbound, LocalTimeout, ProposeDue, SyncAnswered } from "../global/protocol.ts"

export const AppShardConsensusProtocol = Protocol.make("AppShardConsensus", Inbound, LocalTimeout, ProposeDue, SyncAnswered, GetStatus, GetCommitted)
export type AppShardConsensusMessage = Inbound | LocalTimeout | ProposeDue | SyncAnswered | GetStatus | GetCommitted
