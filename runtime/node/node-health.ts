// Whether the master is still a working node. When the root supervisor gives up (an actor kept
// failing, e.g. consensus commits on a full disk), nothing in the process restarts it any more: the
// node is only useful dead, so a service manager can restart it. NodeHealth turns the give-up into
// `failed` (served by /health and /ready at once) and `fatal`, which the process entry point
// (runtime/node/main.ts) waits on to stop the node and exit non-zero within the shutdown deadline.
import { Context, Data, Deferred, Effect, Layer } from "effect"
import { ActorSystem } from "../kernel/index.ts"

type HealthStatus = { readonly status: "ok" } | { readonly status: "failed"; readonly reason: string }

/** The node stopped working on its own; the process should exit non-zero. */
class NodeGaveUp extends Data.TaggedError("NodeGaveUp")<{ readonly reason: string }> {
  override get message(): string {
    return `node gave up: ${this.reason}`
  }
}

export interface NodeHealthService {
  readonly status: Effect.Effect<HealthStatus>
  /** Completes when the node gave up. */
  readonly fatal: Effect.Effect<NodeGaveUp>
}

export class NodeHealth extends Context.Tag("quilbun/node/NodeHealth")<NodeHealth, NodeHealthService>() {}

export const NodeHealthLive: Layer.Layer<NodeHealth, never, ActorSystem.ActorSystem> = Layer.scoped(
  NodeHealth,
  Effect.gen(function* () {
    const system = yield* ActorSystem.ActorSystem
    const fatal = yield* Deferred.make<NodeGaveUp>()
    let failure: NodeGaveUp | undefined
    yield* system.awaitGiveUp.pipe(
      Effect.map((reason) => new NodeGaveUp({ reason })),
      Effect.tap((e) => Effect.sync(() => (failure = e))),
      Effect.flatMap((e) => Deferred.succeed(fatal, e)),
      Effect.forkScoped,
    )
    return {
      status: Effect.sync((): HealthStatus => (failure === undefined ? { status: "ok" } : { status: "failed", reason: failure.message })),
      fatal: Deferred.await(fatal),
    }
  }),
)
