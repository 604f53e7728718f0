// The one VDF interface (prove / verify / proveMulti / verifyMulti). The implementation is chosen
// when the service is built: the native library when it loads, else the TypeScript reference
// (which logs one warning, since it is far slower). Solves always run in the solver Worker.
import { Context, Effect, Layer, Metric, type Scope } from "effect"
import { Status } from "../status.ts"
import { VdfInputError, VdfMalformedOutputError } from "./errors.ts"
import { solveDuration, verifyDuration } from "./metrics.ts"
import { loadNativeVdf, OUTPUT_BYTES, type NativeVdf } from "./native.ts"
import type { Engine } from "./protocol.ts"
import { makeSolver, type SolveError } from "./solver.ts"
import { verify as verifyTs, verifyMulti as verifyMultiTs, type VerifyResult } from "./wesolowski.ts"

export type VerifyError = VdfInputError | VdfMalformedOutputError

export interface Vdf {
  readonly implementation: Engine
  /** wesolowski_solve(2048, challenge, iterations): 516 bytes y ‖ π. Interrupting abandons the solve. */
  readonly prove: (challenge: Uint8Array, iterations: number) => Effect.Effect<Uint8Array, SolveError>
  readonly verify: (challenge: Uint8Array, iterations: number, output: Uint8Array) => Effect.Effect<boolean, VerifyError>
  /** Worker `index`'s 516-byte blob of the multi-worker proof over `ids`. */
  readonly proveMulti: (challenge: Uint8Array, iterations: number, ids: ReadonlyArray<Uint8Array>, index: number) => Effect.Effect<Uint8Array, SolveError>
  readonly verifyMulti: (
    challenge: Uint8Array,
    iterations: number,
    ids: ReadonlyArray<Uint8Array>,
    blobs: ReadonlyArray<Uint8Array>,
  ) => Effect.Effect<boolean, VerifyError>
}

export class VdfService extends Context.Tag("quilbun/Vdf")<VdfService, Vdf>() {}

const checkIterations = (iterations: number): Effect.Effect<void, VdfInputError> =>
  Number.isInteger(iterations) && iterations >= 0 && iterations <= 0xffffffff
    ? Effect.void
    : Effect.fail(new VdfInputError({ reason: `iterations must be an integer in [0, 2^32): ${iterations}` }))

/** The native prover's limit (crates/vdf MAX_SOLVE_ITERATIONS): checkpoints stay in memory. */
const MAX_SOLVE_ITERATIONS = 1 << 22

const checkSolveIterations = (iterations: number): Effect.Effect<void, VdfInputError> =>
  Effect.andThen(checkIterations(iterations), () =>
    iterations <= MAX_SOLVE_ITERATIONS
      ? Effect.void
      : Effect.fail(new VdfInputError({ reason: `the prover supports at most ${MAX_SOLVE_ITERATIONS} iterations` })),
  )

const checkOutput = (output: Uint8Array): Effect.Effect<void, VdfInputError> =>
  output.length === OUTPUT_BYTES ? Effect.void : Effect.fail(new VdfInputError({ reason: `VDF output must be ${OUTPUT_BYTES} bytes, got ${output.length}` }))

const checkMulti = (ids: ReadonlyArray<Uint8Array>, count: number, what: string): Effect.Effect<void, VdfInputError> =>
  ids.length > 0 && count === ids.length && ids.every((id) => id.length <= 0xffffffff)
    ? Effect.void
    : Effect.fail(new VdfInputError({ reason: `${what}: need a non-empty id list (${ids.length} ids, ${count})` }))

const fromStatus = (status: number): Effect.Effect<boolean, VerifyError> => {
  switch (status) {
    case Status.Ok:
      return Effect.succeed(true)
    case Status.Invalid:
      return Effect.succeed(false)
    case Status.Encoding:
      return Effect.fail(new VdfMalformedOutputError({ reason: "y or π is not a canonical reduced form" }))
    default:
      return Effect.fail(new VdfInputError({ reason: `rejected by the native library (status ${status})` }))
  }
}

const fromResult = (result: VerifyResult): Effect.Effect<boolean, VerifyError> => {
  switch (result) {
    case "valid":
      return Effect.succeed(true)
    case "invalid":
      return Effect.succeed(false)
    case "malformed":
      return Effect.fail(new VdfMalformedOutputError({ reason: "y or π is not a canonical reduced form" }))
    case "length":
      return Effect.fail(new VdfInputError({ reason: "wrong output length or id/blob count" }))
  }
}

let warnedFallback = false

/** Builds the service for the life of the Scope (the solver Worker is terminated on close). */
export const makeVdf: Effect.Effect<Vdf, never, Scope.Scope> = Effect.gen(function* () {
  const loaded = loadNativeVdf()
  const native: NativeVdf | undefined = "unavailable" in loaded ? undefined : loaded
  if ("unavailable" in loaded && !warnedFallback) {
    warnedFallback = true
    yield* Effect.logWarning(`VDF: ${loaded.unavailable}; using the TypeScript BigInt implementation (much slower)`)
  }
  const engine: Engine = native === undefined ? "typescript" : "native"
  const solver = yield* makeSolver(engine, (id) => native?.cancel(id))
  const timedSolve = Metric.trackDuration(Metric.tagged(solveDuration, "engine", engine))
  const timedVerify = Metric.trackDuration(Metric.tagged(verifyDuration, "engine", engine))

  const verify: Vdf["verify"] = (challenge, iterations, output) =>
    Effect.andThen(Effect.all([checkIterations(iterations), checkOutput(output)]), () =>
      timedVerify(
        native !== undefined
          ? Effect.suspend(() => fromStatus(native.verify(challenge, iterations, output)))
          : Effect.suspend(() => fromResult(verifyTs(challenge, iterations, output))),
      ),
    )

  const verifyMulti: Vdf["verifyMulti"] = (challenge, iterations, ids, blobs) =>
    Effect.andThen(Effect.all([checkIterations(iterations), checkMulti(ids, blobs.length, "verifyMulti"), ...blobs.map(checkOutput)]), () =>
      timedVerify(
        native !== undefined
          ? Effect.suspend(() => fromStatus(native.verifyMulti(challenge, iterations, ids, blobs)))
          : Effect.suspend(() => fromResult(verifyMultiTs(challenge, iterations, ids, blobs))),
      ),
    )

  return {
    implementation: engine,
    prove: (challenge, iterations) => Effect.andThen(checkSolveIterations(iterations), () => timedSolve(solver.solve({ challenge, iterations }))),
    verify,
    proveMulti: (challenge, iterations, ids, index) =>
      Effect.andThen(
        Effect.all([
          checkSolveIterations(iterations),
          checkMulti(ids, ids.length, "proveMulti"),
          Number.isInteger(index) && index >= 0 && index < ids.length
            ? Effect.void
            : Effect.fail(new VdfInputError({ reason: `index ${index} outside ${ids.length} ids` })),
        ]),
        () => timedSolve(solver.solve({ challenge, iterations, multi: { ids: [...ids], index } })),
      ),
    verifyMulti,
  }
})

export const VdfLive: Layer.Layer<VdfService> = Layer.scoped(VdfService, makeVdf)
