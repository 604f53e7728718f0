// One app shard's consensus actor (/root/app-consensus-<address prefix>): an AppShardEngine fed by the
// shard's consensus bitmask, its own timers and sync answers, as the global consensus actor is. The
// worker that runs the shard passes its ports (bundles, state roots, fee vote, global head, the
// FinalizedFrameSink) and the shard's committee; crypto, store and transport are services.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Schedule, type Scope } from "effect"
import { FrameVdf } from "../../../crates/ts/services.ts"
import { engineEffects, engineServices } from "../global/engine-services.ts"
import { Actor, type ActorRef } from "../../../runtime/kernel/index.ts"
import type { ConsensusConfig } from "../core/consensus-config.ts"
import type { ActiveProver } from "../core/prover-ring.ts"
import { quorumRuleFor } from "../core/quorum-rule.ts"
import type { TransportService } from "../../../runtime/kernel/transport/transport.ts"
import { Inbound } from "../global/protocol.ts"
import { appGenesisFrame } from "./app-chain-kind.ts"
import { AppShardEngine, type AppShardWorkerPorts } from "./engine.ts"
import { recordShardHalted } from "./metrics.ts"
import { AppShardConsensusProtocol, type AppShardConsensusMessage, CheckCoverage } from "./protocol.ts"
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

/** How often the coverage monitor counts the provers covering the shard. */
const COVERAGE_EVERY = "2 seconds"

interface ShardState {
  readonly engine: AppShardEngine
  readonly transport: TransportService
  /** committee size and the signers a quorum needs (equal weight: ⌊2n/3⌋ + 1, D-GC-1) */
  readonly committee: number
  readonly needed: number
  covering: number
  halted: boolean
}

/**
 * The coverage monitor (D-APP-13): a shard whose reachable provers (this one plus the peers on its
 * consensus channel) are fewer than a quorum is halted — it cannot certify anything, so it says so
 * (log line, metric, `halted` in the shard view) instead of timing out silently; the engine's own
 * proposal gate already keeps it from proposing. It resumes when enough provers are back.
 */
const checkCoverage = (address: Uint8Array, state: ShardState) =>
  Effect.gen(function* () {
    const peers = yield* state.transport.peers
    const covering = Math.min(state.committee, peers.length + 1)
    const halted = covering < state.needed
    state.covering = covering
    if (halted !== state.halted) {
      state.halted = halted
      const fields = { shard: bytesToHex(address), covering, needed: state.needed }
      yield* halted
        ? Effect.logWarning("app shard halted: too few provers cover it").pipe(Effect.annotateLogs(fields))
        : Effect.logInfo("app shard resumed").pipe(Effect.annotateLogs(fields))
    }
    yield* recordShardHalted(address, halted)
    return state
  })

/** Eight address bytes keep actor names short and distinct per shard on one worker. */
export const appShardConsensusName = (address: Uint8Array): string => `app-consensus-${bytesToHex(address.subarray(0, 8))}`

export const appShardConsensusActor = (options: AppShardConsensusOptions) =>
  Actor.make(
    appShardConsensusName(options.address),
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
          const rule = quorumRuleFor(committee, options.address)
          // A seniority-weighted rule counts weight, not heads: only an equal-weight quorum has a head count.
          const needed = rule.mode === "equal-weight" ? Math.max(1, Math.min(committee.length, Number(rule.threshold))) : 1
          const state: ShardState = { engine, transport, committee: committee.length, needed, covering: committee.length, halted: false }
          yield* Effect.sync(() => tell(new CheckCoverage())).pipe(Effect.repeat(Schedule.spaced(COVERAGE_EVERY)), Effect.forkIn(scope))
          return state
        }),
      handlers: {
        Inbound: (s, m) => Effect.as(s.engine.handleInbound(m.from, m.data), s),
        LocalTimeout: (s, m) => Effect.as(s.engine.handleLocalTimeout(m.epoch), s),
        ProposeDue: (s, m) => Effect.as(s.engine.handleProposeDue(m.rank), s),
        SyncAnswered: (s, m) => Effect.as(s.engine.handleSyncAnswered(m.peer, m.data, m.detail), s),
        GetStatus: (s) => Effect.succeed([s, s.engine.status()] as const),
        GetCommitted: (s, m) => Effect.map(s.engine.committed(m.from, m.to), (frames) => [s, frames] as const),
        CheckCoverage: (s) => checkCoverage(options.address, s),
        GetCoverage: (s) => Effect.succeed([s, { covering: s.covering, needed: s.needed, halted: s.halted }] as const),
      },
    },
    { mailbox: { capacity: options.mailboxCapacity ?? 4_096, overflow: "backpressure" }, kind: "permanent" },
  )
