// The one wiring of global consensus, used alike by the node, the devnet harness and the tests: the
// actor spawned for the Layer's scope, its committee from the ProverRegistry, and — when the context
// has them — committed frames fed to the GlobalTimeReel and double proposals published to the
// EventDistributor, and — with a ShardUpdates pool — certified shard headers proposed from it and the
// committed ones reported back to it; and the ProverRegistry told of every commit, so it pays the shard
// updates committed frames carry. Released before what it talks to (Layer release order).
import { Context, Effect, Either, Layer, Option } from "effect"
import type { BlsVerifier, FrameVdf, Poseidon, ProverSigner } from "../../../crates/ts/services.ts"
import { ActorSystem } from "../../../runtime/kernel/index.ts"
import type { Transport } from "../../../runtime/kernel/transport/transport.ts"
import type { Store } from "../../../runtime/store/index.ts"
import { EventDistributor } from "../../event-distributor/index.ts"
import { activeProversOf, CommitteeAt, CreditCommitted, ProverRegistry, type ProverRegistryRef } from "../../prover-registry/index.ts"
import { sortByAddress } from "../core/prover-ring.ts"
import type { CommitteeAtFrame } from "./registry-committees.ts"
import { GlobalTimeReel } from "../../time-reel/index.ts"
import type { CommitteeSource } from "../core/committee-source.ts"
import type { GlobalFrame } from "../core/messages/global-frame.ts"
import type { GlobalConsensusConfig } from "./config.ts"
import { globalConsensusActor, type GlobalConsensusRef } from "./global-consensus.ts"
import type { CertifiedFrame } from "./persistence.ts"
import { shardUpdatesOf } from "./shard-update-history.ts"
import { ShardUpdates, type ShardUpdatesRef } from "./shard-updates.ts"
import { PendingShardUpdates, ShardUpdatesCommitted } from "./shard-updates-protocol.ts"

/** The node's global consensus actor (its ref), as wired by `GlobalConsensusLive`. */
export class GlobalConsensus extends Context.Tag("quilbun/GlobalConsensus")<GlobalConsensus, GlobalConsensusRef>() {}

export interface GlobalConsensusLiveOptions {
  readonly config: GlobalConsensusConfig
  readonly onCommitted?: (frames: ReadonlyArray<CertifiedFrame>) => void
  readonly mailboxCapacity?: number
  /** Prover lifecycle requests to propose when leading (D-GC-19): the node's lifecycle pool (D-GC-20). */
  readonly pendingLifecycle?: Effect.Effect<ReadonlyArray<Uint8Array>>
  /** Who votes on each frame (app D-APP-18); absent: the registry's active global provers at start, for every frame. */
  readonly committees?: CommitteeSource<GlobalFrame>
}

/** A committee question the registry does not answer at once is asked again later (the engine waits meanwhile). */
const COMMITTEE_ASK_TIMEOUT = "1 second"

/** The registry's global committee as of committed frame n (D-REG-8), or why it cannot say yet. */
const registryCommitteeAt =
  (registry: ProverRegistryRef): CommitteeAtFrame =>
  (frameNumber) =>
    registry.ask(new CommitteeAt({ filter: new Uint8Array(), frameNumber }), COMMITTEE_ASK_TIMEOUT).pipe(
      Effect.map((provers) => Either.right(sortByAddress(provers))),
      Effect.catchAll((e) =>
        Effect.succeed(Either.left(e._tag === "CommitteeUnknown" ? `registry frame ${frameNumber} ${e.reason} (applied through ${e.appliedThrough})` : e._tag)),
      ),
    )

/** A leader never waits long on the pool: without an answer its frame carries no updates. */
const PENDING_ASK_TIMEOUT = "1 second"

const pendingFrom = (pool: ShardUpdatesRef) => pool.ask(new PendingShardUpdates(), PENDING_ASK_TIMEOUT).pipe(Effect.orElseSucceed(() => []))

/**
 * The caller's callback, plus the pool told what committed frames carried and the registry told to pay
 * them (a full mailbox drops a note: the pool's bound still holds, and the registry pays from its own
 * cursor on the next note).
 */
const committedNotifier = (
  callback: ((frames: ReadonlyArray<CertifiedFrame>) => void) | undefined,
  pool: ShardUpdatesRef | undefined,
  registry: ProverRegistryRef,
): ((frames: ReadonlyArray<CertifiedFrame>) => void) => {
  return (frames) => {
    callback?.(frames)
    const last = frames[frames.length - 1]
    if (last !== undefined) registry.unsafeTell(new CreditCommitted({ upTo: last.frame.header.frameNumber }))
    if (pool === undefined) return
    const updates = frames.flatMap((f) => shardUpdatesOf(f.frame))
    if (updates.length > 0) pool.unsafeTell(new ShardUpdatesCommitted({ updates }))
  }
}

export const GlobalConsensusLive = (
  options: GlobalConsensusLiveOptions,
): Layer.Layer<GlobalConsensus, never, ActorSystem.ActorSystem | ProverRegistry | Store | Transport | ProverSigner | BlsVerifier | Poseidon | FrameVdf> =>
  Layer.scoped(
    GlobalConsensus,
    Effect.gen(function* () {
      const registry = yield* ProverRegistry
      const reel = Option.getOrUndefined(yield* Effect.serviceOption(GlobalTimeReel))
      const distributor = Option.getOrUndefined(yield* Effect.serviceOption(EventDistributor))
      const pool = Option.getOrUndefined(yield* Effect.serviceOption(ShardUpdates))
      const onCommitted = committedNotifier(options.onCommitted, pool, registry)
      return yield* ActorSystem.spawnScoped(
        globalConsensusActor({
          config: options.config,
          committee: activeProversOf(registry, new Uint8Array()).pipe(Effect.orDie),
          ...(reel === undefined ? {} : { timeReel: reel }),
          ...(distributor === undefined ? {} : { distributor }),
          onCommitted,
          ...(pool === undefined ? {} : { pendingShardUpdates: pendingFrom(pool) }),
          ...(options.mailboxCapacity === undefined ? {} : { mailboxCapacity: options.mailboxCapacity }),
          ...(options.pendingLifecycle === undefined ? {} : { pendingLifecycle: options.pendingLifecycle }),
          ...(options.committees === undefined ? {} : { committees: options.committees }),
          committeeAt: registryCommitteeAt(registry),
        }),
      )
    }),
  )
