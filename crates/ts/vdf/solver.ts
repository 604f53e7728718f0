// Owns the solver Worker for the life of a Scope: posts solves, routes replies, and abandons a
// solve when its fiber is interrupted (native: quil_vdf_cancel; TypeScript: the shared slot).
import { Effect, Either, Schema, type Scope } from "effect"
import { VdfCancelledError, VdfInputError, VdfInternalError } from "./errors.ts"
import { WorkerResponse, type Engine, type SolveRequest } from "./protocol.ts"

export type SolveError = VdfInputError | VdfCancelledError | VdfInternalError

export interface Solver {
  readonly solve: (request: Omit<SolveRequest, "_tag" | "solveId" | "engine">) => Effect.Effect<Uint8Array, SolveError>
}

/** Process-wide so ids never collide in the native library's cancel set (0 = not cancellable). */
let nextSolveId = 1

type Resume = (effect: Effect.Effect<Uint8Array, SolveError>) => void

export const makeSolver = (engine: Engine, cancelNative: (solveId: number) => void): Effect.Effect<Solver, never, Scope.Scope> =>
  Effect.gen(function* () {
    const pending = new Map<number, Resume>()
    const cancelSlot = new Int32Array(new SharedArrayBuffer(4))
    const decode = Schema.decodeUnknownEither(WorkerResponse)
    let worker: Worker | undefined

    const failAll = (reason: string) => {
      for (const [, resume] of pending) resume(Effect.fail(new VdfInternalError({ reason })))
      pending.clear()
    }
    const start = (): Worker => {
      const w = new Worker(new URL("./worker.ts", import.meta.url).href)
      w.onmessage = (event: MessageEvent) => {
        const decoded = decode(event.data)
        if (Either.isLeft(decoded)) return
        const res = decoded.right
        const resume = pending.get(res.solveId)
        if (resume === undefined) return
        pending.delete(res.solveId)
        if (pending.size === 0) w.unref()
        if (res._tag === "Solved") resume(Effect.succeed(res.output))
        else if (res.kind === "cancelled") resume(Effect.fail(new VdfCancelledError({ solveId: res.solveId })))
        else if (res.kind === "input") resume(Effect.fail(new VdfInputError({ reason: res.reason })))
        else resume(Effect.fail(new VdfInternalError({ reason: res.reason })))
      }
      w.onerror = (event: ErrorEvent) => {
        failAll(`solver worker failed: ${event.message}`)
        worker = undefined
        w.terminate()
      }
      w.postMessage({ _tag: "Init", cancelFlag: cancelSlot.buffer })
      w.unref()
      return w
    }

    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        failAll("solver closed")
        worker?.terminate()
        worker = undefined
      }),
    )

    const solve: Solver["solve"] = (request) =>
      Effect.async<Uint8Array, SolveError>((resume) => {
        const solveId = nextSolveId++
        const w = (worker ??= start())
        pending.set(solveId, resume)
        w.ref()
        const message: SolveRequest = { _tag: "Solve", solveId, engine, ...request }
        w.postMessage(message)
        return Effect.sync(() => {
          if (!pending.delete(solveId)) return
          if (pending.size === 0) w.unref()
          if (engine === "native") cancelNative(solveId)
          else Atomics.store(cancelSlot, 0, solveId)
        })
      })

    return { solve }
  })
