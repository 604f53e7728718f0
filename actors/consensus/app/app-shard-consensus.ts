// One app shard's consensus actor (/root/app-consensus-<address prefix>): an AppShardEngine fed by the
// shard's consensus bitmask, its own timers and sync answers, as the global consensus actor is. The
// worker that runs the shard passes its ports (bundles, state roots, fee vote, global head, the
// FinalizedFrameSink) and the shard's committee; crypto, store and transport are services.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, type Scope } from "effect"
import { FrameVdf } from "../../../crates/ts/services.ts"
import { engineEffects, engineServices } from "../global/engine-services.ts"
import { Actor, type ActorRef } from "../../../runtime/kernel/index.ts"
import type { ConsensusConfig } from "../core/consensus-config.ts"
import type { ActiveProver } from "../core/prover-ring.ts"
import { Inbound } from "../global/protocol.ts"
import { appGenesisFrame } from "./app-chain-kind.ts"
import { AppShardEngine, type AppShardWorkerPorts } from "./engine.ts"
import { AppShardConsensusProtocol, type AppShardConsensusMessage } from "./protocol.ts"
import { APP_SYNC_PROTOCOL, appConsensusBitmask } from "./wire.ts"

export interface AppShardConsensusOptions {
  /** The shard address (32–64 bytes). */
  readonly address: Uint8Array
  readonly config: ConsensusConfig
  /** The shard's active provers (`GetActiveProvers(address)`); sorted here by address. */
  readonly committee: Effect.Effect<ReadonlyArray<ActiveProver>>
  readonly worker: AppShardWorkerPorts
  readonly mailboxCapacity?: number
}

export type AppShardConsensusRef = ActorRef<AppShardConsensusMessage>

/** Eight address bytes keep actor names short and distinct per shard on one worker. */
const actorName = (address: Uint8Array): string => `app-consensus-${bytesToHex(address.subarray(0, 8))}`

export const appShardConsensusActor = (options: AppShardConsensusOptions) =>
  Actor.make(
    actorName(options.address),
    AppShardConsensusProtocol,
    {
      init: (ctx) =>
        Effect.gen(function* () {
          // Timers, transport callbacks and sync answers run outside the actor: unsafeTell, as the global actor does.
          const tell = (message: AppShardConsensusMessage): void => {
            ctx.self.unsafeTell(message)
          }
          const scope: Scope.Scope = yield* Effect.scope
          const { store, transport, signer, bls, poseidon, vdf, services } = yield* engineServices
          const committee = [...(yield* options.committee)].sort((a, b) => Buffer.compare(a.address, b.address))
          const genesis = yield* appGenesisFrame(options.address, options.config.genesisDifficulty).pipe(Effect.provideService(FrameVdf, vdf), Effect.orDie)
          const engine = new AppShardEngine({
            address: options.address,
            genesis,
            config: options.config,
            committee,
            store,
            transport,
            signer,
            bls,
            poseidon,
            services,
            worker: options.worker,
            effects: engineEffects(scope, tell, transport, APP_SYNC_PROTOCOL),
          })
          yield* transport.subscribe(appConsensusBitmask(options.address), (m) => tell(new Inbound({ from: m.from, data: m.data })))
          yield* transport.serve(APP_SYNC_PROTOCOL, (_from, data) => engine.serveSync(data))
          yield* engine.start()
          return engine
        }),
      handlers: {
        Inbound: (engine, m) => Effect.as(engine.handleInbound(m.from, m.data), engine),
        LocalTimeout: (engine, m) => Effect.as(engine.handleLocalTimeout(m.epoch), engine),
        ProposeDue: (engine, m) => Effect.as(engine.handleProposeDue(m.rank), engine),
        SyncAnswered: (engine, m) => Effect.as(engine.handleSyncAnswered(m.peer, m.data, m.detail), engine),
        GetStatus: (engine) => Effect.succeed([engine, engine.status()] as const),
        GetCommitted: (engine, m) => Effect.map(engine.committed(m.from, m.to), (frames) => [engine, frames] as const),
      },
    },
    { mailbox: { capacity: options.mailboxCapacity ?? 4_096, overflow: "backpressure" }, kind: "permanent" },
  )
