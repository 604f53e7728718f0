// Time reels (consensus.md §2): fork choice over frames, pending frames, rewind/replay, persistence in
// the clock store and bootstrap from it. One actor per reel: the global reel, and one per app shard.
import type { EventDistributorRef } from "../event-distributor/index.ts"
import { activeProversOf, type ProverRegistryRef } from "../prover-registry/index.ts"
import type { GlobalFrame } from "../consensus/core/messages/global-frame.ts"
import { globalReelKindWith } from "./reel-kind.ts"
import type { ReelStoreHooks } from "./reel-store.ts"
import { timeReelActor, type TimeReelConfig } from "./time-reel.ts"

export * from "./protocol.ts"
export { appReelKind, globalReelKindWith } from "./reel-kind.ts"
export type { ReelStoreHooks } from "./reel-store.ts"
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
