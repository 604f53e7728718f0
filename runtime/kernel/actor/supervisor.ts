// Supervisors: run children in spec order, restart them by strategy and child kind, limit restarts
// by intensity (then give up and escalate to the parent), wait out a backoff Schedule before each
// restart, and stop children in reverse start order with a per-child deadline.
import { Clock, Deferred, Duration, Effect, Exit, Fiber, FiberId, Queue, Schedule } from "effect"
import type { Context, Scope } from "effect"
import { ActorCell } from "./actor.ts"
import type { ActorOptions, ActorSpec } from "./actor.ts"
import * as Backoff from "./backoff.ts"
import { describeCause } from "./cause.ts"
import { ActorStopped, SupervisorGaveUp } from "./errors.ts"
import { ActorMetrics } from "./metrics.ts"
import type { ChildNode, ChildOptions, Intensity } from "./node.ts"
import type { Message } from "./protocol.ts"
import type { ActorRef } from "./ref.ts"
import type { ActorSnapshot, ChildKind, NodeStatus } from "./snapshot.ts"
import type { DeadlineTimer } from "./timer.ts"

export type Strategy = "one-for-one" | "one-for-all" | "rest-for-one"

/** An actor spec with its message type erased (children of one supervisor speak different protocols). */
export interface AnyActorSpec<R> {
  readonly _tag: "ActorSpec"
  readonly name: string
  readonly options: ActorOptions
  readonly protocol: unknown
  // `never`: any actor's init (whatever its context type) fits; only R is read from it.
  readonly behavior: { readonly init: (ctx: never) => Effect.Effect<unknown, unknown, R | Scope.Scope> }
}

export interface SupervisorSpec<R = never> {
  readonly _tag: "SupervisorSpec"
  readonly name: string
  readonly strategy: Strategy
  readonly children: ReadonlyArray<ChildSpec<R>>
  /** This supervisor's own restart options (as a child of its parent). */
  readonly options: ChildOptions
}

export type ChildSpec<R = never> = AnyActorSpec<R> | SupervisorSpec<R>

/** Define a supervisor; children start in array order and stop in reverse. */
export const make = <const Children extends ReadonlyArray<ChildSpec<unknown>> = []>(
  name: string,
  config: { readonly strategy?: Strategy; readonly children?: Children },
  options: ChildOptions = {},
): SupervisorSpec<ChildContext<Children[number]>> => {
  if (name.length === 0 || name.includes("/")) throw new TypeError(`invalid supervisor name: ${JSON.stringify(name)}`)
  return {
    _tag: "SupervisorSpec",
    name,
    strategy: config.strategy ?? "one-for-one",
    children: (config.children ?? []) as unknown as ReadonlyArray<ChildSpec<ChildContext<Children[number]>>>,
    options,
  }
}

/** The services a child spec needs. */
export type ChildContext<C> = C extends SupervisorSpec<infer R> ? R : C extends AnyActorSpec<infer R> ? Exclude<R, Scope.Scope> : never

export const DEFAULT_INTENSITY: Intensity = { maxRestarts: 3, within: "5 seconds" }
export const DEFAULT_SHUTDOWN_TIMEOUT: Duration.DurationInput = "5 seconds"
export const DEFAULT_BACKOFF = Backoff.exponential()

/** Shared by every node of one actor system. */
export interface SystemEnv {
  readonly scope: Scope.Scope
  readonly registry: Map<string, ChildNode>
  readonly fibers: Set<Fiber.RuntimeFiber<void, unknown>>
  readonly timer: DeadlineTimer
}

interface Slot {
  readonly node: ChildNode
  fiber: Fiber.RuntimeFiber<void, unknown> | undefined
  generation: number
  restartTimes: Array<number>
  driver: Schedule.ScheduleDriver<unknown, unknown> | undefined
}

type Event = { readonly _tag: "Exit"; readonly slot: Slot; readonly generation: number; readonly exit: Exit.Exit<void, unknown> } | { readonly _tag: "Stop" }

const STOP: Event = { _tag: "Stop" }

/** Build the live node for a spec (recursively for supervisors) and register its path. */
export const makeNode = (spec: ChildSpec<unknown>, parent: SupervisorRef, context: Context.Context<unknown>, env: SystemEnv): ChildNode => {
  const path = `${parent.path}/${spec.name}`
  if (env.registry.has(path)) throw new Error(`actor path already in use: ${path}`)
  const node: ChildNode =
    spec._tag === "ActorSpec"
      ? new ActorCell(path, spec.name, spec as unknown as ActorSpec<Message, unknown>, context, env.timer, parent)
      : new SupervisorNode(path, spec, context, env)
  env.registry.set(path, node)
  return node
}

/** Handle to a running supervisor, for adding children at run time (e.g. one actor per shard). */
export interface SupervisorRef {
  readonly path: string
  /** Start a new child (appended after the existing ones). Fails when the supervisor is stopped. */
  readonly spawn: <M extends Message, R>(spec: ActorSpec<M, R>) => Effect.Effect<ActorRef<M>, ActorStopped, R>
  readonly spawnSupervisor: <R>(spec: SupervisorSpec<R>) => Effect.Effect<SupervisorRef, ActorStopped, R>
  /** Stop a child gracefully and remove it (its queued asks fail with ActorStopped). */
  readonly stopChild: (name: string) => Effect.Effect<void>
}

export class SupervisorNode implements ChildNode {
  readonly name: string
  readonly options: ChildOptions
  readonly strategy: Strategy
  readonly incarnation: (onStarted: () => void) => Effect.Effect<void, unknown>
  readonly ref: SupervisorRef
  status: NodeStatus = "idle"
  restarts = 0
  lastFailure: string | null = null
  private readonly slots: Array<Slot> = []
  private readonly events = Effect.runSync(Queue.unbounded<Event>())
  private stopFlag = false
  private disposed = false
  private readonly metrics: ActorMetrics

  constructor(
    readonly path: string,
    spec: SupervisorSpec<unknown>,
    private readonly context: Context.Context<unknown>,
    private readonly env: SystemEnv,
    private readonly isRoot = false,
  ) {
    this.name = spec.name
    this.options = spec.options
    this.metrics = new ActorMetrics(path)
    this.strategy = spec.strategy
    this.incarnation = (onStarted) =>
      Effect.suspend(() => {
        this.status = "running"
        return Effect.ensuring(
          Effect.zipRight(Effect.zipRight(this.startAll(), Effect.sync(onStarted)), this.loop()),
          Effect.suspend(() => this.stopAll()),
        )
      })
    this.ref = {
      path,
      spawn: (spec) => Effect.map(this.addChild(spec as unknown as ChildSpec<unknown>), (node) => (node as ActorCell<never>).ref as never) as never,
      spawnSupervisor: (spec) => Effect.map(this.addChild(spec as ChildSpec<unknown>), (node) => (node as SupervisorNode).ref) as never,
      stopChild: (name) => this.stopChild(name),
    }
    for (const child of spec.children) this.slots.push(newSlot(makeNode(child, this.ref, context, env)))
  }

  beforeStart = (): void => {
    this.stopFlag = false
    // A restarted supervisor starts with fresh restart budgets (as a new OTP supervisor would).
    for (const slot of this.slots) {
      slot.restartTimes = []
      slot.driver = undefined
    }
    Effect.runSync(Queue.takeAll(this.events)) // events of a previous incarnation are stale
  }

  requestStop = (): void => {
    this.stopFlag = true
    Queue.unsafeOffer(this.events, STOP)
  }

  dispose = (): void => {
    if (this.disposed) return
    this.disposed = true
    this.stopFlag = true
    this.status = "stopped"
    for (let i = this.slots.length - 1; i >= 0; i--) {
      const slot = this.slots[i] as Slot
      this.env.registry.delete(slot.node.path)
      slot.node.dispose()
    }
  }

  restarted = (): void => {
    this.restarts++
    this.metrics.restarted()
  }

  snapshot = (): ActorSnapshot => ({
    path: this.path,
    name: this.name,
    type: "supervisor",
    kind: this.options.kind ?? "permanent",
    status: this.status,
    mailbox: null,
    processed: 0,
    failed: 0,
    restarts: this.restarts,
    deadLetters: 0,
    lastFailure: this.lastFailure,
    children: this.slots.map((slot) => slot.node.snapshot()),
  })

  private addChild(spec: ChildSpec<unknown>): Effect.Effect<ChildNode, ActorStopped, unknown> {
    return Effect.contextWithEffect((callerContext: Context.Context<unknown>) => {
      if (this.disposed) return Effect.fail(new ActorStopped({ path: this.path }))
      const slot = newSlot(makeNode(spec, this.ref, callerContext, this.env))
      this.slots.push(slot)
      return this.status === "running" ? Effect.as(this.start(slot), slot.node) : Effect.succeed(slot.node)
    })
  }

  private stopChild(name: string): Effect.Effect<void> {
    return Effect.suspend(() => {
      const slot = this.slots.find((s) => s.node.name === name)
      return slot === undefined
        ? Effect.void
        : Effect.zipRight(
            this.stopSlot(slot),
            Effect.sync(() => this.remove(slot)),
          )
    })
  }

  private loop(): Effect.Effect<void, unknown> {
    const next = (): Effect.Effect<void, unknown> =>
      this.stopFlag ? Effect.void : Effect.flatMap(Queue.take(this.events), (event) => Effect.flatMap(this.handle(event), next))
    return next()
  }

  private handle(event: Event): Effect.Effect<void, unknown> {
    if (event._tag === "Stop") return Effect.void
    const { slot, exit } = event
    if (event.generation !== slot.generation || slot.fiber === undefined || !this.slots.includes(slot)) return Effect.void
    slot.fiber = undefined
    const node = slot.node
    node.status = "idle"
    const kind: ChildKind = node.options.kind ?? "permanent"
    const crashed = Exit.isFailure(exit)
    if (!crashed && kind !== "permanent") return Effect.sync(() => this.remove(slot))
    const cause = crashed ? exit.cause : undefined
    const reason = cause === undefined ? "exited normally" : describeCause(cause)
    if (cause !== undefined && node.lastFailure === null) node.lastFailure = reason
    const logged = Effect.logWarning(`${node.path} ${crashed ? "crashed" : "exited"} (${kind}): ${reason}`)
    if (kind === "temporary")
      return Effect.zipRight(
        logged,
        Effect.sync(() => this.remove(slot)),
      )
    return Effect.zipRight(logged, this.restart(slot, reason))
  }

  private restart(slot: Slot, reason: string): Effect.Effect<void, SupervisorGaveUp> {
    return Effect.gen(this, function* () {
      const node = slot.node
      const intensity = node.options.intensity ?? DEFAULT_INTENSITY
      const now = yield* Clock.currentTimeMillis
      const windowStart = now - Duration.toMillis(intensity.within)
      slot.restartTimes = slot.restartTimes.filter((t) => t > windowStart)
      if (slot.restartTimes.length === 0 || slot.driver === undefined) {
        // Stable for a whole window: the backoff starts over.
        slot.driver = yield* Schedule.driver(node.options.backoff ?? DEFAULT_BACKOFF)
      }
      if (slot.restartTimes.length >= intensity.maxRestarts) {
        return yield* this.giveUp(node, `${slot.restartTimes.length} restarts within ${Duration.format(intensity.within)}; last: ${reason}`)
      }
      slot.restartTimes.push(now)
      const index = this.slots.indexOf(slot)
      const affected = this.strategy === "one-for-one" ? [slot] : this.strategy === "one-for-all" ? [...this.slots] : this.slots.slice(index)
      for (let i = affected.length - 1; i >= 0; i--) {
        const other = affected[i] as Slot
        if (other !== slot) yield* this.stopSlot(other)
      }
      for (const s of affected) s.node.status = "restarting"
      const delay = yield* Effect.either(slot.driver.next(reason))
      if (delay._tag === "Left") return yield* this.giveUp(node, `backoff schedule ended; last: ${reason}`)
      if (this.stopFlag) return
      for (const s of affected) {
        if (!this.slots.includes(s) || s.fiber !== undefined) continue
        s.node.restarted()
        yield* this.start(s)
      }
    })
  }

  private giveUp(node: ChildNode, reason: string): Effect.Effect<never, SupervisorGaveUp> {
    const error = new SupervisorGaveUp({ path: this.path, child: node.path, reason })
    this.lastFailure = `gave up on ${node.path}: ${reason}`
    // The root's give-up is logged once by the system ("actor system stopped: ...").
    if (this.isRoot) return Effect.fail(error)
    return Effect.zipRight(Effect.logError(`supervisor ${this.path} gave up on ${node.path}: ${reason}`), Effect.fail(error))
  }

  private startAll(): Effect.Effect<void> {
    return Effect.forEach(this.slots.slice(), (slot) => (slot.fiber === undefined ? this.start(slot) : Effect.void), {
      discard: true,
    })
  }

  private start(slot: Slot): Effect.Effect<void> {
    return Effect.suspend(() => {
      slot.generation++
      const generation = slot.generation
      slot.node.status = "running"
      slot.node.beforeStart()
      const events = this.events
      const fibers = this.env.fibers
      // Starts are sequential (OTP): wait until the child has initialised (or died trying).
      const ready = Deferred.unsafeMake<void>(FiberId.none)
      const started = () => Deferred.unsafeDone(ready, Exit.void)
      const child = Effect.onExit(slot.node.incarnation(started), (exit) => {
        started()
        return Queue.offer(events, { _tag: "Exit", slot, generation, exit })
      })
      // Interruptible whatever the caller's region: a spawn from an uninterruptible one (an
      // acquireRelease acquire, a finalizer) would otherwise give an actor no stop could interrupt.
      return Effect.flatMap(Effect.forkIn(Effect.interruptible(child), this.env.scope), (fiber) => {
        slot.fiber = fiber
        fibers.add(fiber)
        fiber.addObserver(() => fibers.delete(fiber))
        return Deferred.await(ready)
      })
    })
  }

  /** Graceful stop: finish the current message, then end; interrupt after the deadline. */
  private stopSlot(slot: Slot): Effect.Effect<void> {
    return Effect.suspend(() => {
      const fiber = slot.fiber
      if (fiber === undefined) return Effect.void
      slot.fiber = undefined
      const node = slot.node
      node.status = "stopping"
      node.requestStop()
      const deadline = node.options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT
      return Effect.interruptible(Fiber.await(fiber)).pipe(
        Effect.timeout(deadline),
        Effect.catchAll(() =>
          Effect.zipRight(Effect.logWarning(`${node.path} did not stop within ${Duration.format(deadline)}; interrupting`), Fiber.interrupt(fiber)),
        ),
        Effect.ensuring(
          Effect.sync(() => {
            if (node.status === "stopping") node.status = "idle"
          }),
        ),
        Effect.asVoid,
      )
    })
  }

  private stopAll(): Effect.Effect<void> {
    return Effect.uninterruptible(Effect.forEach(this.slots.slice().reverse(), (slot) => this.stopSlot(slot), { discard: true })).pipe(
      Effect.ensuring(
        Effect.sync(() => {
          if (this.status !== "stopped") this.status = "idle"
        }),
      ),
    )
  }

  private remove(slot: Slot): void {
    const i = this.slots.indexOf(slot)
    if (i >= 0) this.slots.splice(i, 1)
    this.env.registry.delete(slot.node.path)
    unregister(slot.node, this.env.registry)
    slot.node.dispose()
  }
}

const unregister = (node: ChildNode, registry: Map<string, ChildNode>): void => {
  const prefix = `${node.path}/`
  for (const path of [...registry.keys()]) if (path.startsWith(prefix)) registry.delete(path)
}

const newSlot = (node: ChildNode): Slot => ({ node, fiber: undefined, generation: 0, restartTimes: [], driver: undefined })
