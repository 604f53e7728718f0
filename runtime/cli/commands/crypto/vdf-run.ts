// `crypto vdf prove|verify` (vdf.ts): argument checks and the VDF itself. Bad arguments fail
// with UsageError (exit 2). Uses the native library, or the slow TS fallback.
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { makeVdf } from "../../../../crates/ts/vdf/vdf.ts"
import { LoggingLive } from "../../../kernel/logging.ts"
import { hexArg, println } from "../../command.ts"
import { NegativeAnswer, UsageError } from "../../errors.ts"

const OUTPUT_BYTES = 516

const parseIterations = (value: string): Effect.Effect<number, UsageError> =>
  /^[0-9]{1,10}$/.test(value) && Number(value) <= 0xffffffff
    ? Effect.succeed(Number(value))
    : Effect.fail(new UsageError({ reason: `iterations must be an integer in [0, 2^32): ${value}` }))

const runVdf = <A, E>(body: (vdf: Effect.Effect.Success<typeof makeVdf>) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(makeVdf, body)).pipe(Effect.either, Effect.provide(LoggingLive({ format: "pretty", level: "warning" })))

export const prove = (challengeArg: string, iterationsArg: string): Effect.Effect<void, UsageError> =>
  Effect.gen(function* () {
    const challenge = yield* hexArg(challengeArg, "challenge")
    const iterations = yield* parseIterations(iterationsArg)
    const result = yield* runVdf((vdf) => vdf.prove(challenge, iterations))
    if (Either.isLeft(result)) {
      return yield* new UsageError({ reason: `prove failed: ${result.left._tag}: ${JSON.stringify(result.left)}` })
    }
    yield* println(bytesToHex(result.right))
  })

export const verify = (challengeArg: string, iterationsArg: string, outputArg: string): Effect.Effect<void, UsageError | NegativeAnswer> =>
  Effect.gen(function* () {
    const challenge = yield* hexArg(challengeArg, "challenge")
    const iterations = yield* parseIterations(iterationsArg)
    const output = yield* hexArg(outputArg, "output", OUTPUT_BYTES)
    const result = yield* runVdf((vdf) => vdf.verify(challenge, iterations, output))
    // A well-sized output whose forms are malformed is simply not a valid proof.
    if (Either.isLeft(result) && result.left._tag !== "VdfMalformedOutputError") {
      return yield* new UsageError({ reason: `verify failed: ${result.left._tag}: ${result.left.reason}` })
    }
    const valid = Either.isRight(result) && result.right
    yield* println(valid ? "valid" : "invalid")
    if (!valid) return yield* new NegativeAnswer()
  })
