// An actor: its spec (protocol, behaviour, mailbox, restart options) and its cell, which owns the
// mailbox and counters across restarts and runs one incarnation at a time:
//   init(ctx) (in a fresh Scope) -> loop { take one message -> handler } -> terminate hook -> scope closed.
// The loop is a hand-written continuation chain (no Effect.gen) so a message costs one
// matchCauseEffect node plus whatever the handler allocates.
import { Cause, Effect, Exit, Option } from "effect"
import type { Context, Fiber, Request, Scope } from "effect"
import { ActorRestarted, ActorStopped, MailboxFull } from "./errors.ts"
import { describeCause } from "./cause.ts"
import { ActorMailbox } from "./mailbox.ts"
import type { OverflowPolicy } from "./mailbox.ts"
import { ActorMetrics } from "./metrics.ts"
import type { ChildNode, ChildOptions } from "./node.ts"
import type { Message, Protocol } from "./protocol.ts"
import { AskEnvelope, makeLocalRef } from "./ref.ts"
import type { ActorRef, Envelope } from "./ref.ts"
import type { ActorSnapshot, NodeStatus } from "./snapshot.ts"
import type { SupervisorRef } from "./supervisor.ts"
import type { DeadlineTimer } from "./timer.ts"

/**
 * Passed to `init` and to every handler; one object per actor, the same in every incarnation.
 * `init` gets it so an actor can arm its own timers and subscriptions without a "start" message.
 */
export interface ActorContext<M extends Message> {
  /**
   * This actor's ref: the very ref `spawn` returns, valid across restarts (the mailbox outlives
   * incarnations). Tells from `init` are queued and handled once the loop runs; a `tell` from the
   * actor's own fiber never waits for room (see ref.ts). Never `ask` yourself: nobody would answer.
   */
  readonly self: ActorRef<M>
  /** This actor's path, e.g. `/root/global-consensus`. */
  readonly path: string
  /**
   * End this incarnation normally after the current message (from `init`: as soon as `init` returns,
   * before any message). A transient child then stays down.
   */
  readonly stop: Effect.Effect<void>
  /**
   * The supervisor this actor runs under (`parent.path` is the parent's path): spawn siblings at run
   * time (e.g. one worker per shard).
   */
  readonly parent: SupervisorRef
}

/**
 * A tell handler returns the next state; an ask handler returns `[nextState, reply]` or fails with the
 * ask's declared failure (which goes to the asker and keeps the actor running with the old state).
 * Any other failure or defect crashes the incarnation.
 */
export type HandlerResult<X, S, R> = X extends Request.Request<infer A, infer E> ? Effect.Effect<readonly [S, A], E, R> : Effect.Effect<S, unknown, R>

export type Handlers<M extends Message, S, R> = {
  readonly [Tag in M["_tag"]]: (
    state: S,
    message: Extract<M, { readonly _tag: Tag }>,
    ctx: ActorContext<M>,
  ) => HandlerResult<Extract<M, { readonly _tag: Tag }>, S, R>
}

/** What `init` is: given the actor's context, the effect that builds the first state. */
export type Init<M extends Message, S, R> = (ctx: ActorContext<M>) => Effect.Effect<S, unknown, R | Scope.Scope>

export interface Behavior<M extends Message, S, R> {
  /**
   * Runs at the start of every incarnation with the actor's context; may acquire resources (timers,
   * subscriptions) in the incarnation's Scope, which closes when the incarnation ends.
   */
  readonly init: Init<M, S, R>
  readonly handlers: Handlers<M, S, R>
  /** Runs at the end of every incarnation (crash, restart, stop), before the Scope closes. */
  readonly terminate?: (state: Option.Option<S>, exit: Exit.Exit<void, unknown>) => Effect.Effect<void, never, R>
}

export interface MailboxOptions {
  /** Default 1024. */
  readonly capacity?: number
  /** Default "backpressure". */
  readonly overflow?: OverflowPolicy
}

export interface ActorOptions extends ChildOptions {
  readonly mailbox?: MailboxOptions
}

/** How to start an actor; give it to a supervisor spec or `ActorSystem.spawn`. */
export interface ActorSpec<M extends Message, R = never> {
  readonly _tag: "ActorSpec"
  readonly name: string
  readonly protocol: Protocol<M>
  readonly options: ActorOptions
  /** Internal: the behaviour with its state type erased. */
  readonly behavior: Behavior<M, unknown, R>
}

export const DEFAULT_CAPACITY = 1024
/** Messages settled inline before the actor loop yields to other fibers. */
const SYNC_BUDGET = 1024

/**
 * Define an actor. `name` is its path segment under the parent supervisor. `init` is a function of
 * the actor's context (`() => Effect.succeed(0)` when it needs none). The state type is taken from
 * what `init` returns; TypeScript cannot infer it when `init` contains an unannotated callback (e.g.
 * `Effect.map(x, (v) => ...)`): write `init` with Effect.gen / Effect.succeed or annotate the parameter.
 */
export const make = <M extends Message, S, R = never>(
  name: string,
  protocol: Protocol<M>,
  // The state type is inferred from `init` only; handlers are checked against it.
  behavior: {
    readonly init: Init<M, S, R>
    readonly handlers: Handlers<M, NoInfer<S>, R>
    readonly terminate?: (state: Option.Option<NoInfer<S>>, exit: Exit.Exit<void, unknown>) => Effect.Effect<void, never, R>
  },
  options: ActorOptions = {},
): ActorSpec<M, R> => {
  if (name.length === 0 || name.includes("/")) throw new TypeError(`invalid actor name: ${JSON.stringify(name)}`)
  return { _tag: "ActorSpec", name, protocol, options, behavior: behavior as unknown as Behavior<M, unknown, R> }
}

type AnyHandler = (state: unknown, message: Message, ctx: ActorContext<Message>) => Effect.Effect<unknown, unknown>

/** The live actor: mailbox, ref and counters survive restarts; incarnations come and go. */
export class ActorCell<M extends Message> implements ChildNode {
  readonly mailbox: ActorMailbox<Envelope>
  readonly ref: ActorRef<M>
  readonly options: ActorOptions
  readonly incarnation: (onStarted: () => void) => Effect.Effect<void, unknown>
  status: NodeStatus = "idle"
  restarts = 0
  lastFailure: string | null = null
  processed = 0
  failed = 0
  readonly stats = { deadLetters: 0 }
  private stopFlag = false
  /** The running incarnation's fiber: a tell from it must never wait for room only it can make. */
  private owner: Fiber.RuntimeFiber<unknown, unknown> | undefined = undefined
  private readonly metrics: ActorMetrics

  constructor(
    readonly path: string,
    readonly name: string,
    spec: ActorSpec<M, unknown>,
    context: Context.Context<unknown>,
    timer: DeadlineTimer,
    private readonly parent: SupervisorRef,
  ) {
    this.options = spec.options
    const full = new MailboxFull({ path, capacity: spec.options.mailbox?.capacity ?? DEFAULT_CAPACITY })
    this.mailbox = new ActorMailbox<Envelope>(
      spec.options.mailbox?.capacity ?? DEFAULT_CAPACITY,
      spec.options.mailbox?.overflow ?? "backpressure",
      (evicted) => {
        this.stats.deadLetters++
        if (evicted instanceof AskEnvelope) evicted.settle(Exit.fail(full))
      },
    )
    this.ref = makeLocalRef(path, spec.protocol, this.mailbox, this.stats, timer, (fiber) => fiber === this.owner)
    this.metrics = new ActorMetrics(path)
    const incarnation = this.makeIncarnation(spec.behavior)
    this.incarnation = (onStarted) => Effect.provide(incarnation(onStarted), context) as Effect.Effect<void, unknown>
  }

  beforeStart = (): void => {
    this.stopFlag = this.mailbox.closed
  }

  requestStop = (): void => {
    this.stopFlag = true
    this.mailbox.wake()
  }

  dispose = (): void => {
    this.stopFlag = true
    this.status = "stopped"
    const stopped = Exit.fail(new ActorStopped({ path: this.path }))
    for (const envelope of this.mailbox.close()) {
      if (envelope instanceof AskEnvelope) envelope.settle(stopped)
      else this.stats.deadLetters++
    }
    this.flush()
  }

  restarted = (): void => {
    this.restarts++
    this.metrics.restarted()
  }

  snapshot = (): ActorSnapshot => ({
    path: this.path,
    name: this.name,
    type: "actor",
    kind: this.options.kind ?? "permanent",
    status: this.status,
    mailbox: { depth: this.mailbox.depth, capacity: this.mailbox.capacity },
    processed: this.processed,
    failed: this.failed,
    restarts: this.restarts,
    deadLetters: this.stats.deadLetters,
    lastFailure: this.lastFailure,
    children: [],
  })

  /** Push counter deltas and the mailbox depth to the Effect metrics (done periodically, not per message). */
  flush(): void {
    this.metrics.flush(this.processed, this.failed, this.mailbox.depth)
  }

  private makeIncarnation(behavior: Behavior<M, unknown, unknown>): (onStarted: () => void) => Effect.Effect<void, unknown, unknown> {
    const handlers = behavior.handlers as unknown as Record<string, AnyHandler>
    const mailbox = this.mailbox
    const path = this.path
    const ctx: ActorContext<M> = {
      self: this.ref,
      path,
      stop: Effect.sync(() => {
        this.stopFlag = true
      }),
      parent: this.parent,
    }
    const anyCtx = ctx as unknown as ActorContext<Message>

    return (onStarted) =>
      Effect.withFiberRuntime((fiber) => {
        this.owner = fiber
        let state: unknown
        let hasState = false
        // The message being processed, so a crash or an interruption can answer its asker.
        let current: Envelope | undefined

        // Handlers that return an already-completed Effect (Effect.succeed / Effect.fail) are settled
        // inline, without a trip through the fiber runtime; every SYNC_BUDGET messages the loop yields
        // so one busy actor cannot starve the others.
        let budget = SYNC_BUDGET
        const next = (): Effect.Effect<void, unknown> => {
          for (;;) {
            if (this.stopFlag) return Effect.void
            const envelope = mailbox.poll()
            if (envelope === undefined) return Effect.flatMap(mailbox.awaitItem, next)
            current = envelope
            const isAsk = envelope instanceof AskEnvelope
            const message = isAsk ? envelope.message : envelope
            const handler = handlers[message._tag] as AnyHandler
            const result = handler(state, message, anyCtx)
            // An Exit is an Effect whose `_tag` is "Success" / "Failure" (cheaper than Exit.isExit).
            const tag = (result as { readonly _tag?: unknown })._tag
            if (--budget > 0 && (tag === "Success" || tag === "Failure")) {
              const exit = result as unknown as Exit.Exit<unknown, unknown>
              if (exit._tag === "Success") {
                if (isAsk) succeedAsk(exit.value)
                else succeedTell(exit.value)
                continue
              }
              const crash = settleFailure(exit.cause)
              if (crash !== undefined) return crash
              continue
            }
            if (budget <= 0) {
              budget = SYNC_BUDGET
              return Effect.zipRight(Effect.yieldNow(), Effect.matchCauseEffect(result, isAsk ? askMatch : tellMatch))
            }
            return Effect.matchCauseEffect(result, isAsk ? askMatch : tellMatch)
          }
        }

        const succeedTell = (nextState: unknown): void => {
          state = nextState
          current = undefined
          this.processed++
        }
        const succeedAsk = (result: unknown): void => {
          const pair = result as readonly [unknown, unknown]
          const envelope = current as AskEnvelope
          state = pair[0]
          current = undefined
          this.processed++
          envelope.settle(Exit.succeed(pair[1]))
        }
        /** Settles a failed handler; returns the crash to end the incarnation with, if it is one. */
        const settleFailure = (cause: Cause.Cause<unknown>): Effect.Effect<never, unknown> | undefined => {
          const envelope = current
          current = undefined
          this.failed++
          if (envelope instanceof AskEnvelope && Cause.isFailType(cause)) {
            // A declared failure: the asker gets it, the actor keeps its state and runs on.
            this.processed++
            envelope.settle(Exit.failCause(cause))
            return undefined
          }
          if (envelope instanceof AskEnvelope) {
            envelope.settle(Exit.fail(new ActorRestarted({ path, reason: Cause.pretty(cause) })))
          }
          return Effect.failCause(cause)
        }
        const onFailure = (cause: Cause.Cause<unknown>): Effect.Effect<void, unknown> => settleFailure(cause) ?? next()
        const tellMatch = {
          onSuccess: (nextState: unknown): Effect.Effect<void, unknown> => {
            succeedTell(nextState)
            return next()
          },
          onFailure,
        }
        const askMatch = {
          onSuccess: (result: unknown): Effect.Effect<void, unknown> => {
            succeedAsk(result)
            return next()
          },
          onFailure,
        }

        const onEnd = (exit: Exit.Exit<void, unknown>): Effect.Effect<void> => {
          mailbox.clearWaiter()
          this.owner = undefined
          const envelope = current
          current = undefined
          if (envelope instanceof AskEnvelope) {
            // Interrupted mid-message (stop deadline passed) or a defect thrown outside the handler's Effect.
            this.failed++
            const error = Exit.isInterrupted(exit)
              ? new ActorStopped({ path })
              : new ActorRestarted({ path, reason: Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "stopped" })
            envelope.settle(Exit.fail(error))
          }
          if (Exit.isFailure(exit) && !Exit.isInterrupted(exit)) this.lastFailure = describeCause(exit.cause)
          this.flush()
          return behavior.terminate === undefined
            ? Effect.void
            : (behavior.terminate(hasState ? Option.some(state) : Option.none(), exit) as Effect.Effect<void>)
        }

        // Tells to ctx.self from init land in the mailbox, which outlives incarnations; the loop below
        // takes them once init has returned.
        const run = Effect.flatMap(behavior.init(ctx), (initial) => {
          state = initial
          hasState = true
          this.status = "running"
          onStarted()
          return next()
        })
        return Effect.scoped(Effect.onExit(run, onEnd)) as Effect.Effect<void, unknown>
      })
  }
}
