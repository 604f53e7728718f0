// The actor system: a scoped service owning the root supervisor. Closing its scope stops every
// child in reverse start order (each within its own deadline, the whole within `shutdownTimeout`),
// then fails whatever is still queued with ActorStopped. If the root supervisor gives up, the system
// logs one error line, stops, and `awaitTermination` completes.
import { Cause, Context, Deferred, Duration, Effect, ExecutionStrategy, Exit, Fiber, Layer, Schedule, Scope } from "effect"
import type { ActorSpec } from "./actor.ts"
import { ActorNotFound } from "./errors.ts"
import type { ActorStopped } from "./errors.ts"
import type { ChildNode } from "./node.ts"
import type { Message, Protocol } from "./protocol.ts"
import type { ActorRef } from "./ref.ts"
import type { ActorSnapshot } from "./snapshot.ts"
import { SupervisorNode } from "./supervisor.ts"
import type { Strategy, SupervisorRef, SupervisorSpec, SystemEnv } from "./supervisor.ts"
import { ActorCell } from "./actor.ts"
import { DeadlineTimer } from "./timer.ts"

export interface ActorSystemConfig {
  /** Root path segment. Default "root" (paths look like /root/store). */
  readonly rootName?: string
  /** Strategy of the root supervisor. Default one-for-one. */
  readonly strategy?: Strategy
  /** Deadline for the whole shutdown; after it the remaining fibers are interrupted. Default 10 s. */
  readonly shutdownTimeout?: Duration.DurationInput
  /** How often actor counters are pushed to the Effect metrics. Default 1 s. */
  readonly metricsInterval?: Duration.DurationInput
}

export interface ActorSystemService {
  readonly rootPath: string
  /** Start an actor under the root supervisor. */
  readonly spawn: <M extends Message, R>(spec: ActorSpec<M, R>) => Effect.Effect<ActorRef<M>, ActorStopped, R>
  /** Start a supervisor (and its children) under the root supervisor. */
  readonly spawnSupervisor: <R>(spec: SupervisorSpec<R>) => Effect.Effect<SupervisorRef, ActorStopped, R>
  /** The ref of the actor at `path`, if it exists and speaks `protocol`. */
  readonly lookup: <M extends Message>(path: string, protocol: Protocol<M>) => Effect.Effect<ActorRef<M>, ActorNotFound>
  /** The supervisor at `path` (the root included), to add children at run time. */
  readonly lookupSupervisor: (path: string) => Effect.Effect<SupervisorRef, ActorNotFound>
  /** Stop and remove the child at `path` (gracefully, within its deadline). */
  readonly stop: (path: string) => Effect.Effect<void, ActorNotFound>
  /** Push every actor's counters to the Effect metrics now (also done every `metricsInterval`). */
  readonly flushMetrics: Effect.Effect<void>
  /** The live tree as plain data. */
  readonly snapshot: Effect.Effect<ActorSnapshot>
  /** Completes when the system has stopped (shutdown, or the root supervisor gave up). */
  readonly awaitTermination: Effect.Effect<void>
  /** Completes, with the reason, only if the root supervisor gave up (never on a normal shutdown). */
  readonly awaitGiveUp: Effect.Effect<string>
  /** Incarnation fibers currently alive (0 after shutdown). */
  readonly liveFibers: () => number
}

export class ActorSystem extends Context.Tag("quilbun/ActorSystem")<ActorSystem, ActorSystemService>() {}

export const make = (config: ActorSystemConfig = {}): Effect.Effect<ActorSystemService, never, Scope.Scope> =>
  Effect.gen(function* () {
    const rootName = config.rootName ?? "root"
    const scope = yield* Effect.scope
    // Children live in a sub-scope that closes only after the graceful shutdown finalizer below.
    const childScope = yield* Scope.fork(scope, ExecutionStrategy.sequential)
    const timer = new DeadlineTimer(yield* Effect.clock)
    const env: SystemEnv = { scope: childScope, registry: new Map<string, ChildNode>(), fibers: new Set(), timer }
    yield* Effect.forkIn(timer.run, childScope)
    const flushMetrics = Effect.sync(() => {
      for (const node of env.registry.values()) if (node instanceof ActorCell) node.flush()
    })
    yield* Effect.forkIn(Effect.repeat(flushMetrics, Schedule.spaced(config.metricsInterval ?? "1 second")), childScope)
    const context = yield* Effect.context<never>()
    const root = new SupervisorNode(
      `/${rootName}`,
      { _tag: "SupervisorSpec", name: rootName, strategy: config.strategy ?? "one-for-one", children: [], options: {} },
      context as Context.Context<unknown>,
      env,
      true,
    )
    env.registry.set(root.path, root)
    const terminated = yield* Deferred.make<void>()
    const gaveUp = yield* Deferred.make<string>()

    const onRootExit = (exit: Exit.Exit<void, unknown>): Effect.Effect<void> =>
      Effect.suspend(() => {
        root.dispose()
        const log =
          Exit.isFailure(exit) && !Exit.isInterrupted(exit)
            ? Effect.zipRight(
                Effect.logError(`actor system stopped: root supervisor gave up: ${rootReason(exit.cause)}`),
                Deferred.succeed(gaveUp, rootReason(exit.cause)),
              )
            : Effect.void
        return Effect.zipRight(log, Deferred.succeed(terminated, undefined))
      })

    root.beforeStart()
    const rootFiber = yield* Effect.forkIn(
      Effect.onExit(
        root.incarnation(() => {}),
        onRootExit,
      ),
      childScope,
    )

    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        root.requestStop()
        const deadline = config.shutdownTimeout ?? "10 seconds"
        const finished = yield* Effect.interruptible(Fiber.await(rootFiber)).pipe(Effect.timeout(deadline), Effect.option)
        if (finished._tag === "None") {
          yield* Effect.logWarning(`actor system did not stop within ${Duration.format(deadline)}; interrupting`)
          yield* Fiber.interrupt(rootFiber)
        }
        // Anything still alive (an incarnation that ignored its deadline) is interrupted here.
        yield* Effect.forEach([...env.fibers], (fiber) => Fiber.interrupt(fiber), { discard: true })
        root.dispose()
        yield* Deferred.succeed(terminated, undefined)
      }),
    )

    const findNode = (path: string): Effect.Effect<ChildNode, ActorNotFound> => {
      const node = env.registry.get(path)
      return node === undefined ? Effect.fail(new ActorNotFound({ path })) : Effect.succeed(node)
    }

    const service: ActorSystemService = {
      rootPath: root.path,
      spawn: (spec) => root.ref.spawn(spec),
      spawnSupervisor: (spec) => root.ref.spawnSupervisor(spec),
      lookup: <M extends Message>(path: string, protocol: Protocol<M>) =>
        Effect.flatMap(findNode(path), (node) =>
          node instanceof ActorCell && node.ref.protocol === protocol
            ? Effect.succeed(node.ref as unknown as ActorRef<M>)
            : Effect.fail(new ActorNotFound({ path })),
        ),
      lookupSupervisor: (path) =>
        Effect.flatMap(findNode(path), (node) => (node instanceof SupervisorNode ? Effect.succeed(node.ref) : Effect.fail(new ActorNotFound({ path })))),
      stop: (path) => {
        const cut = path.lastIndexOf("/")
        const parent = env.registry.get(path.slice(0, cut))
        if (!(parent instanceof SupervisorNode) || !env.registry.has(path)) return Effect.fail(new ActorNotFound({ path }))
        return parent.ref.stopChild(path.slice(cut + 1))
      },
      snapshot: Effect.zipRight(
        flushMetrics,
        Effect.sync(() => root.snapshot()),
      ),
      flushMetrics,
      awaitTermination: Deferred.await(terminated),
      awaitGiveUp: Deferred.await(gaveUp),
      liveFibers: () => env.fibers.size,
    }
    return service
  })

const rootReason = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  if (failure._tag === "Some") {
    const error = failure.value
    if (typeof error === "object" && error !== null && "child" in error && "reason" in error) {
      return `${String(error.child)}: ${String(error.reason)}`
    }
  }
  return Cause.pretty(cause).split("\n")[0] ?? "unknown"
}

/** The actor system as a scoped Layer. */
export const layer = (config: ActorSystemConfig = {}): Layer.Layer<ActorSystem> => Layer.scoped(ActorSystem, make(config))

/**
 * Spawns `spec` under the root for the current Scope: it is stopped (and awaited) when the scope
 * closes, so a subsystem's wiring Layer owns its actor's lifetime. A system already stopping is a defect.
 */
export const spawnScoped = <M extends Message, R>(spec: ActorSpec<M, R>): Effect.Effect<ActorRef<M>, never, ActorSystem | R | Scope.Scope> =>
  Effect.flatMap(ActorSystem, (system) => Effect.acquireRelease(Effect.orDie(system.spawn(spec)), (ref) => Effect.ignore(system.stop(ref.path))))
