// A small node for time-reel tests: store in a temp dir, event distributor, prover registry seeded with
// the test committee, and the global time reel wired to both, all spawned through the actor kernel.
import { Effect, Layer, type Scope } from "effect"
import {
  EventDistributor,
  EventDistributorLive,
  GetDistributorStats,
  subscribe,
  type ControlEvent,
  type Delivered,
  type EventDistributorRef,
  type Subscription,
} from "../../../../../actors/event-distributor/index.ts"
import { ProverRegistry, ProverRegistryLive, registryGenesisLayer, type ProverRegistryRef } from "../../../../../actors/prover-registry/index.ts"
import { type Store, StoreLive } from "../../../../../runtime/store/index.ts"
import { GlobalTimeReel, GlobalTimeReelLive, type TimeReelMessage } from "../../../../../actors/time-reel/index.ts"
import { BlsVerifier, FrameVdf, Poseidon, type FrameVdfService } from "../../../../../crates/ts/services.ts"
import { insecureTestBlsVerifier } from "../../../../../runtime/testing/insecure-test-bls.ts"
import { ActorSystem, type ActorRef } from "../../../../../runtime/kernel/index.ts"
import { poseidonHashBytes } from "../../../../../crates/ts/poseidon.ts"
import { genesisProvers } from "./frames.ts"

export interface Node {
  readonly reel: ActorRef<TimeReelMessage>
  readonly registry: ProverRegistryRef
  readonly distributor: EventDistributorRef
  readonly events: Subscription
  /** Everything published so far (waits until the distributor has processed earlier tells). */
  readonly published: Effect.Effect<ReadonlyArray<Delivered>>
}

type Services = Store | Poseidon | FrameVdf | BlsVerifier

export const withNode = <A, E>(
  path: string,
  vdf: FrameVdfService,
  body: (node: Node) => Effect.Effect<A, E, Services | ActorSystem.ActorSystem | Scope.Scope>,
  options: Parameters<typeof GlobalTimeReelLive>[0] = {},
): Promise<A> => {
  const program = Effect.gen(function* () {
    const distributor = yield* EventDistributor
    const events = yield* subscribe(distributor, { id: "test", capacity: 10_000 })
    const registry = yield* ProverRegistry
    const reel = yield* GlobalTimeReel
    const published = Effect.flatMap(distributor.ask(new GetDistributorStats()), () => events.drain)
    return yield* body({ reel, registry, distributor, events, published: Effect.orDie(published) })
  })
  // The node's own wiring of the three subsystems.
  const subsystems = GlobalTimeReelLive(options).pipe(Layer.provideMerge(EventDistributorLive.pipe(Layer.provideMerge(ProverRegistryLive))))
  const services = Layer.mergeAll(
    StoreLive({ path }),
    registryGenesisLayer({ network: 99, provers: genesisProvers }),
    Layer.succeed(Poseidon, poseidonHashBytes),
    Layer.succeed(FrameVdf, vdf),
    Layer.succeed(BlsVerifier, insecureTestBlsVerifier),
  )
  // The actor system is the inner layer: it stops (and its actors finish) before the store closes.
  const runtime = subsystems.pipe(Layer.provideMerge(ActorSystem.layer()), Layer.provideMerge(services))
  return Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(runtime)) as Effect.Effect<A, E>)
}

/** Compact view of events for assertions. */
export const describeEvent = (event: ControlEvent): string => {
  switch (event._tag) {
    case "GlobalNewHead":
      return `NewHead(${event.frame.header.frameNumber}${event.replay ? ",replay" : ""})`
    case "GlobalFork":
      return `Fork(${event.oldHead.frameNumber}->${event.frame.header.frameNumber} via ${event.commonAncestor.frameNumber}; reverted ${event.reverted.map((r) => r.frameNumber).join(",")})`
    case "GlobalEquivocation":
      return `Equivocation(${event.frame.header.frameNumber}; ${event.equivocators.join(",")})`
    default:
      return event._tag
  }
}
