// What a consensus actor calls on its chain's engine — the HotStuff core's entry points — shared by the
// global engine and an app shard's engine, which add only their chain's own reads (committed rows).
import type { Effect } from "effect"
import type { ChainFrame, ChainProposal } from "./chain-kind.ts"
import type { EngineStatus } from "./consensus-records.ts"
import type { HotStuffEngine } from "./hotstuff-engine.ts"

export abstract class ChainEngine<F extends ChainFrame, P extends ChainProposal<F>> {
  protected abstract readonly core: HotStuffEngine<F, P>

  /** Loads persisted state (or genesis), replays stored proposals, arms the pacemaker. */
  start(): Effect.Effect<void> {
    return this.core.start()
  }

  handleInbound(from: string, data: Uint8Array): Effect.Effect<void> {
    return this.core.handleInbound(from, data)
  }

  handleLocalTimeout(epoch: number): Effect.Effect<void> {
    return this.core.handleLocalTimeout(epoch)
  }

  handleProposeDue(rank: bigint): Effect.Effect<void> {
    return this.core.handleProposeDue(rank)
  }

  handleSyncAnswered(peer: string, data: Uint8Array | undefined, detail: string): Effect.Effect<void> {
    return this.core.handleSyncAnswered(peer, data, detail)
  }

  /** The sync server; runs in the requester's fiber, never through the actor's mailbox. */
  serveSync(data: Uint8Array): Effect.Effect<Uint8Array> {
    return this.core.serveSync(data)
  }

  status(): EngineStatus {
    return this.core.status()
  }
}
