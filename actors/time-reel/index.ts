// Time reels (consensus.md §2): fork choice over frames, pending frames, rewind/replay, persistence in
// the clock store and bootstrap from it. One actor per reel: the global reel, and one per app shard.
import { Context, Effect, Layer } from "effect"
import type { BlsVerifier, FrameVdf, Poseidon } from "../../crates/ts/services.ts"
import { type ActorRef, ActorSystem } from "../../runtime/kernel/index.ts"
import type { Store } from "../../runtime/store/index.ts"
import { EventDistributor, type EventDistributorRef } from "../event-distributor/index.ts"
import { activeProversOf, ProverRegistry, type ProverRegistryRef } from "../prover-registry/index.ts"
import type { GlobalFrame } from "../consensus/core/messages/global-frame.ts"
import type { TimeReelMessage } from "./protocol.ts"
import { globalReelKindWith } from "./reel-kind.ts"
import type { ReelStoreHooks } from "./reel-store.ts"
import { timeReelActor, type TimeReelConfig } from "./time-reel.ts"

export * from "./protocol.ts"
export { appReelKind, globalReelKindWith } from "./reel-kind.ts"
export { dropBodiesHeldBy, type FrameBodySource, type ReelStoreHooks } from "./reel-store.ts"
export {
  timeReelActor,
  type TimeReelConfig,
} from "./time-reel.ts"

/** The global reel wired to the prover registry (committee) and the event distributor. */
export const globalTimeReelActor = (
  registry: ProverRegistryRef,
  distributor: EventDistributorRef | undefined,
  options: Omit<TimeReelConfig<GlobalFrame>, "kind" | "activeProvers" | "distributor"> & {
    readonly hooks?: ReelStoreHooks<GlobalFrame>
    /** Frames arrive certified but without their QC: verify aggregate and quorum here (D-REEL-7). */
    readonly certified?: boolean
  } = {},
) =>
  timeReelActor<GlobalFrame>({
    ...options,
    kind: globalReelKindWith({ certified: options.certified ?? false }),
    activeProvers: (filter) => activeProversOf(registry, filter),
    ...(distributor === undefined ? {} : { distributor }),
  })

/** The node's global time reel (its ref), as wired by `GlobalTimeReelLive`. */
export class GlobalTimeReel extends Context.Tag("quilbun/GlobalTimeReel")<GlobalTimeReel, ActorRef<TimeReelMessage>>() {}

/**
 * The one wiring of the global time reel: committee from the ProverRegistry, events to the
 * EventDistributor, frames in the Store (bodies in `frameBodies` when given: the committed chain).
 */
export const GlobalTimeReelLive = (
  options: Parameters<typeof globalTimeReelActor>[2] = {},
): Layer.Layer<GlobalTimeReel, never, ActorSystem.ActorSystem | ProverRegistry | EventDistributor | Store | Poseidon | FrameVdf | BlsVerifier> =>
  Layer.scoped(
    GlobalTimeReel,
    Effect.gen(function* () {
      const registry = yield* ProverRegistry
      const distributor = yield* EventDistributor
      return yield* ActorSystem.spawnScoped(globalTimeReelActor(registry, distributor, options))
    }),
  )
