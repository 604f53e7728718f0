// Request/reply over a WorkerTransport, symmetric: either side may call the other. The hot path
// is a plain `[id, tag, payload]` tuple each way; replies are `[id, "ok", value]` or
// `[id, "err", EncodedFailure]`. Pending calls fail with WorkerCrashed when the link closes.
import { Cause, Effect, Exit, Fiber, Option, Runtime, type Scope } from "effect"
import { WorkerCrashed, RemoteFailure, type EncodedFailure } from "./errors.ts"
import type { Frame, WorkerTransport } from "./transport.ts"

export const REPLY_OK = "ok"
export const REPLY_ERR = "err"

/** A handler for one request tag. Its failure is encoded and sent back as an "err" reply. */
export type RpcHandler = (payload: unknown) => Effect.Effect<unknown, unknown>

export interface RpcPeer {
  /** Sends a request and waits for its reply. */
  readonly call: (tag: string, payload: unknown) => Effect.Effect<unknown, WorkerCrashed | RemoteFailure>
  /** Sends a one-way message; false if the link is closed. */
  readonly tell: (tag: string, payload: unknown) => boolean
  /** Number of calls waiting for a reply. */
  readonly inFlight: () => number
  /** Completes when the link is closed (after pending calls have been failed). */
  readonly closed: Effect.Effect<WorkerCrashed>
}

type Resume = (exit: Exit.Exit<unknown, WorkerCrashed | RemoteFailure>) => void

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
export const encodeFailure = (cause: Cause.Cause<unknown>): EncodedFailure => {
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
 * Starts serving `handlers` on `transport` and returns the calling side. `core` names the
 * other process in errors. The scope owns the handler fibers.
 */
export const makeRpcPeer = (
  transport: WorkerTransport,
  options: { readonly core: number; readonly handlers: Readonly<Record<string, RpcHandler>> }
): Effect.Effect<RpcPeer, never, Scope.Scope> =>
  Effect.gen(function* () {
    const runtime = yield* Effect.runtime<never>()
    const runFork = Runtime.runFork(runtime)
    const pending = new Map<number, Resume>()
    const running = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
    const { core, handlers } = options
    let nextId = 1
    let crashed: WorkerCrashed | undefined

    const serve = (id: number, tag: string, payload: unknown): void => {
      const handler = handlers[tag]
      if (handler === undefined) {
        if (id > 0) transport.send([id, REPLY_ERR, { _tag: "UnknownRequest", message: `no handler for ${tag}` }])
        return
      }
      const effect = handler(payload)
      // Already-completed results (Effect.succeed / Effect.fail are Exits) answer without a fiber.
      if (Exit.isExit(effect)) {
        if (id === 0) return
        if (Exit.isSuccess(effect)) transport.send([id, REPLY_OK, effect.value])
        else transport.send([id, REPLY_ERR, encodeFailure(effect.cause)])
        return
      }
      const fiber = runFork(effect)
      running.add(fiber)
      fiber.addObserver((exit) => {
        running.delete(fiber)
        if (id === 0) return
        if (Exit.isSuccess(exit)) transport.send([id, REPLY_OK, exit.value])
        else transport.send([id, REPLY_ERR, encodeFailure(exit.cause)])
      })
    }

    transport.receive((frame: Frame) => {
      const [id, tag, payload] = frame
      if (tag === REPLY_OK || tag === REPLY_ERR) {
        const resume = pending.get(id)
        if (resume === undefined) return // late reply to a call that was interrupted
        pending.delete(id)
        resume(
          tag === REPLY_OK
            ? Exit.succeed(payload)
            : Exit.fail(new RemoteFailure({ core, tag: "reply", error: payload as EncodedFailure }))
        )
      } else {
        serve(id, tag, payload)
      }
    })

    const closed = transport.closed.pipe(
      Effect.map((info) => {
        const error = new WorkerCrashed({ core, exitCode: info.exitCode, signal: info.signal })
        crashed = error
        for (const resume of pending.values()) resume(Exit.fail(error))
        pending.clear()
        return error
      }),
      Effect.cached
    )
    const closedOnce = yield* closed
    yield* Effect.forkScoped(closedOnce)
    yield* Effect.addFinalizer(() =>
      Effect.forEach(Array.from(running), (f) => Fiber.interrupt(f), { discard: true })
    )

    const call = (tag: string, payload: unknown): Effect.Effect<unknown, WorkerCrashed | RemoteFailure> =>
      Effect.async<unknown, WorkerCrashed | RemoteFailure>((resume) => {
        if (crashed !== undefined) return resume(Effect.fail(crashed))
        const id = nextId++
        pending.set(id, (exit) =>
          resume(
            Exit.isSuccess(exit)
              ? Effect.succeed(exit.value)
              : Effect.failCause(
                  Cause.map(exit.cause, (e) => (e._tag === "RemoteFailure" ? new RemoteFailure({ core, tag, error: e.error }) : e))
                )
          )
        )
        if (!transport.send([id, tag, payload])) {
          pending.delete(id)
          resume(Effect.fail(new WorkerCrashed({ core, exitCode: null, signal: null })))
        }
        return Effect.sync(() => {
          pending.delete(id)
        })
      })

    return {
      call,
      tell: (tag, payload) => transport.send([0, tag, payload]),
      inFlight: () => pending.size,
      closed: closedOnce
    }
  })
