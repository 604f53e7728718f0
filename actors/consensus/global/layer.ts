// The one wiring of global consensus, used alike by the node, the devnet harness and the tests: the
// actor spawned for the Layer's scope, its committee from the ProverRegistry, and — when the context
// has them — committed frames fed to the GlobalTimeReel and double proposals published to the
// EventDistributor. Released before what it talks to (Layer release order).
import { Context, Effect, Layer, Option } from "effect"
import type { BlsVerifier, FrameVdf, Poseidon, ProverSigner } from "../../../crates/ts/services.ts"
import { ActorSystem } from "../../../runtime/kernel/index.ts"
import type { Transport } from "../../../runtime/kernel/transport/transport.ts"
import type { Store } from "../../../runtime/store/index.ts"
import { EventDistributor } from "../../event-distributor/index.ts"
import { activeProversOf, ProverRegistry } from "../../prover-registry/index.ts"
import { GlobalTimeReel } from "../../time-reel/index.ts"
import type { GlobalConsensusConfig } from "./config.ts"
import { globalConsensusActor, type GlobalConsensusRef } from "./global-consensus.ts"
import type { CertifiedFrame } from "./persistence.ts"

/** The node's global consensus actor (its ref), as wired by `GlobalConsensusLive`. */
export class GlobalConsensus extends Context.Tag("quilbun/GlobalConsensus")<GlobalConsensus, GlobalConsensusRef>() {}

export interface GlobalConsensusLiveOptions {
  readonly config: GlobalConsensusConfig
  readonly onCommitted?: (frames: ReadonlyArray<CertifiedFrame>) => void
  readonly mailboxCapacity?: number
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
      return yield* ActorSystem.spawnScoped(
        globalConsensusActor({
          config: options.config,
          committee: activeProversOf(registry, new Uint8Array()).pipe(Effect.orDie),
          ...(reel === undefined ? {} : { timeReel: reel }),
          ...(distributor === undefined ? {} : { distributor }),
          ...(options.onCommitted === undefined ? {} : { onCommitted: options.onCommitted }),
          ...(options.mailboxCapacity === undefined ? {} : { mailboxCapacity: options.mailboxCapacity }),
        }),
      )
    }),
  )
