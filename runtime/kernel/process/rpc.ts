// Request/reply over a WorkerTransport, symmetric: either side may call the other. The hot path
// is a plain `[id, tag, payload]` tuple each way; replies are `[id, "ok", value]` or
// `[id, "err", EncodedFailure]`. Pending calls fail with WorkerCrashed when the link closes.
import { Cause, Effect, Exit, Fiber, Option, Runtime, type Scope } from "effect"
import { WorkerCrashed, RemoteFailure, type EncodedFailure } from "./errors.ts"
import type { Frame, WorkerTransport } from "./transport.ts"

const REPLY_OK = "ok"
const REPLY_ERR = "err"

/** A handler for one request tag. Its failure is encoded and sent back as an "err" reply. */
export type RpcHandler = (payload: unknown) => Effect.Effect<unknown, unknown>

/** Runs an effect in a fiber the peer owns (interrupted when its scope closes), then `onExit`. */
export type RpcFork = <A, E>(effect: Effect.Effect<A, E>, onExit: (exit: Exit.Exit<A, E>) => void) => void

/**
 * A callback-style handler for hot request tags: it answers by calling `respond` exactly once
 * (synchronously or later) and forks only what really has to wait, through `fork`. Saves the
 * fiber per request a plain RpcHandler costs.
 */
export type RpcDirectHandler = (payload: unknown, respond: (exit: Exit.Exit<unknown, unknown>) => void, fork: RpcFork) => void

/** Receives the outcome of a call started with `RpcPeer.start`, once. */
type RpcReply = (exit: Exit.Exit<unknown, WorkerCrashed | RemoteFailure>) => void

export interface RpcPeer {
  /** Sends a request and waits for its reply. */
  readonly call: (tag: string, payload: unknown) => Effect.Effect<unknown, WorkerCrashed | RemoteFailure>
  /**
   * Callback form of `call` for hot paths: sends now; `onReply` runs once, from the transport's
   * message handler (or synchronously when the link is down). Returns the call's id for `cancel`.
   */
  readonly start: (tag: string, payload: unknown, onReply: RpcReply) => number
  /** Forgets a started call (its reply, if it still comes, is dropped). */
  readonly cancel: (id: number) => void
  /** Sends a one-way message; false if the link is closed. */
  readonly tell: (tag: string, payload: unknown) => boolean
  /** Number of calls waiting for a reply. */
  readonly inFlight: () => number
  /** Completes when the link is closed (after pending calls have been failed). */
  readonly closed: Effect.Effect<WorkerCrashed>
}

/** A call waiting for its reply. */
interface PendingCall {
  readonly tag: string
  readonly onReply: RpcReply
}

const plainFields = (error: object): Record<string, unknown> | undefined => {
  const out: Record<string, unknown> = {}
  let any = false
  for (const [k, v] of Object.entries(error)) {
    if (k === "_tag" || k === "stack" || k === "message" || typeof v === "function") continue
    try {
      structuredClone(v)
      out[k] = v
      any = true
    } catch {
      out[k] = String(v)
      any = true
    }
  }
  return any ? out : undefined
}

/** Turns a handler's cause into the wire form: tagged errors keep their tag and fields. */
const encodeFailure = (cause: Cause.Cause<unknown>): EncodedFailure => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (typeof error === "object" && error !== null) {
      const tag = "_tag" in error && typeof error._tag === "string" ? error._tag : "Error"
      const message = "message" in error && typeof error.message === "string" ? error.message : String(error)
      const fields = plainFields(error)
      return fields === undefined ? { _tag: tag, message } : { _tag: tag, message, fields }
    }
    return { _tag: "Error", message: String(error) }
  }
  if (Cause.isInterruptedOnly(cause)) return { _tag: "Interrupted", message: "interrupted" }
  return { _tag: "Defect", message: Cause.pretty(cause) }
}

/**
 * Starts serving `handlers` (and the callback-style `direct` handlers) on `transport` and returns
 * the calling side. `core` names the other process in errors. The scope owns the handler fibers.
 */
export const makeRpcPeer = (
  transport: WorkerTransport,
  options: {
    readonly core: number
    readonly handlers: Readonly<Record<string, RpcHandler>>
    readonly direct?: Readonly<Record<string, RpcDirectHandler>>
  },
): Effect.Effect<RpcPeer, never, Scope.Scope> =>
  Effect.gen(function* () {
    const runtime = yield* Effect.runtime<never>()
    const runFork = Runtime.runFork(runtime)
    const pending = new Map<number, PendingCall>()
    const running = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
    const { core, handlers } = options
    const direct = options.direct ?? {}
    let nextId = 1
    let crashed: WorkerCrashed | undefined

    const fork: RpcFork = (effect, onExit) => {
      const fiber = runFork(effect)
      running.add(fiber)
      fiber.addObserver((exit) => {
        running.delete(fiber)
        onExit(exit)
      })
    }

    /** Sends the reply to request `id` (nothing for one-way messages, id 0). */
    const respondTo = (id: number, exit: Exit.Exit<unknown, unknown>): void => {
      if (id === 0) return
      if (Exit.isSuccess(exit)) transport.send([id, REPLY_OK, exit.value])
      else transport.send([id, REPLY_ERR, encodeFailure(exit.cause)])
    }

    const serve = (id: number, tag: string, payload: unknown): void => {
      const fast = direct[tag]
      if (fast !== undefined) {
        let answered = false
        fast(
          payload,
          (exit) => {
            if (answered) return
            answered = true
            respondTo(id, exit)
          },
          fork,
        )
        return
      }
      const handler = handlers[tag]
      if (handler === undefined) {
        if (id > 0) transport.send([id, REPLY_ERR, { _tag: "UnknownRequest", message: `no handler for ${tag}` }])
        return
      }
      const effect = handler(payload)
      // Already-completed results (Effect.succeed / Effect.fail are Exits) answer without a fiber.
      if (Exit.isExit(effect)) respondTo(id, effect)
      else fork(effect, (exit) => respondTo(id, exit))
    }

    transport.receive((frame: Frame) => {
      const [id, tag, payload] = frame
      if (tag === REPLY_OK || tag === REPLY_ERR) {
        const call = pending.get(id)
        if (call === undefined) return // late reply to a call that was interrupted
        pending.delete(id)
        call.onReply(tag === REPLY_OK ? Exit.succeed(payload) : Exit.fail(new RemoteFailure({ core, tag: call.tag, error: payload as EncodedFailure })))
      } else {
        serve(id, tag, payload)
      }
    })

    // A frame the transport accepted but could not write (e.g. an uncloneable payload): a request
    // fails its call as a send failure always has; a reply is replaced by an error reply so the
    // caller is not left waiting.
    transport.undeliverable((frame) => {
      const [id, tag] = frame
      if (tag === REPLY_OK || tag === REPLY_ERR) {
        if (id > 0 && tag === REPLY_OK) transport.send([id, REPLY_ERR, { _tag: "Defect", message: "the reply could not be serialized for the link" }])
        return
      }
      const call = pending.get(id)
      if (call === undefined) return
      pending.delete(id)
      call.onReply(Exit.fail(new WorkerCrashed({ core, exitCode: null, signal: null })))
    })

    const closed = transport.closed.pipe(
      Effect.map((info) => {
        const error = new WorkerCrashed({ core, exitCode: info.exitCode, signal: info.signal })
        crashed = error
        const failed = Exit.fail(error)
        const calls = Array.from(pending.values())
        pending.clear()
        for (const call of calls) call.onReply(failed)
        return error
      }),
      Effect.cached,
    )
    const closedOnce = yield* closed
    yield* Effect.forkScoped(closedOnce)
    yield* Effect.addFinalizer(() => Effect.forEach(Array.from(running), (f) => Fiber.interrupt(f), { discard: true }))

    const start = (tag: string, payload: unknown, onReply: RpcReply): number => {
      if (crashed !== undefined) {
        onReply(Exit.fail(crashed))
        return 0
      }
      const id = nextId++
      pending.set(id, { tag, onReply })
      if (!transport.send([id, tag, payload])) {
        pending.delete(id)
        onReply(Exit.fail(new WorkerCrashed({ core, exitCode: null, signal: null })))
        return 0
      }
      return id
    }
    const cancel = (id: number): void => {
      pending.delete(id)
    }

    const call = (tag: string, payload: unknown): Effect.Effect<unknown, WorkerCrashed | RemoteFailure> =>
      Effect.async<unknown, WorkerCrashed | RemoteFailure>((resume) => {
        let done = false
        const id = start(tag, payload, (exit) => {
          done = true
          resume(exit)
        })
        // No canceler when already answered: it would cost an onInterrupt frame for nothing.
        return done ? undefined : Effect.sync(() => cancel(id))
      })

    return {
      call,
      start,
      cancel,
      tell: (tag, payload) => transport.send([0, tag, payload]),
      inFlight: () => pending.size,
      closed: closedOnce,
    }
  })
