// `bun run cli crypto vdf prove <challenge-hex> <iterations>` → the 516-byte output as hex;
// `bun run cli crypto vdf verify <challenge-hex> <iterations> <output-hex>` → `valid` (0) / `invalid` (1).
// Bad arguments print the reason and exit 2. Uses the native library, or the slow TS fallback.
import { Effect, Either } from "effect"
import { makeVdf } from "../../../../crates/ts/vdf/vdf.ts"
import { LoggingLive } from "../../../logging.ts"
import { EXIT_NEGATIVE, EXIT_OK, parseHexArg, println, toHex, usageError } from "../../command.ts"

const USAGE = [
  "usage: bun run cli crypto vdf prove <challenge-hex> <iterations>",
  "       bun run cli crypto vdf verify <challenge-hex> <iterations> <output-hex>"
].join("\n")

const OUTPUT_BYTES = 516

const parseIterations = (value: string | undefined): number | undefined =>
  value !== undefined && /^[0-9]{1,10}$/.test(value) && Number(value) <= 0xffffffff ? Number(value) : undefined

const runVdf = <A, E>(body: (vdf: Effect.Effect.Success<typeof makeVdf>) => Effect.Effect<A, E>) =>
  Effect.runPromise(
    Effect.scoped(Effect.flatMap(makeVdf, body)).pipe(
      Effect.either,
      Effect.provide(LoggingLive({ format: "pretty", level: "warning" }))
    )
  )

export const run = async (args: ReadonlyArray<string>): Promise<number> => {
  const [sub, challengeArg, iterationsArg, outputArg, ...extra] = args
  if (sub !== "prove" && sub !== "verify") return usageError(sub === undefined ? "missing subcommand" : `unknown subcommand: ${sub}`, USAGE)
  const challenge = parseHexArg(challengeArg)
  if (challenge === undefined) return usageError(`challenge must be hex: ${challengeArg ?? "(missing)"}`, USAGE)
  const iterations = parseIterations(iterationsArg)
  if (iterations === undefined) return usageError(`iterations must be an integer in [0, 2^32): ${iterationsArg ?? "(missing)"}`, USAGE)

  if (sub === "prove") {
    if (outputArg !== undefined) return usageError(`unexpected argument: ${outputArg}`, USAGE)
    const result = await runVdf((vdf) => vdf.prove(challenge, iterations))
    if (Either.isLeft(result)) return usageError(`prove failed: ${result.left._tag}: ${JSON.stringify(result.left)}`)
    println(toHex(result.right))
    return EXIT_OK
  }

  if (extra.length > 0) return usageError(`unexpected argument: ${extra[0]}`, USAGE)
  const output = parseHexArg(outputArg)
  if (output === undefined) return usageError(`output must be hex: ${outputArg ?? "(missing)"}`, USAGE)
  if (output.length !== OUTPUT_BYTES) return usageError(`output must be ${OUTPUT_BYTES} bytes, got ${output.length}`, USAGE)
  const result = await runVdf((vdf) => vdf.verify(challenge, iterations, output))
  // A well-sized output whose forms are malformed is simply not a valid proof.
  const valid = Either.isRight(result) && result.right
  if (Either.isLeft(result) && result.left._tag !== "VdfMalformedOutputError") {
    return usageError(`verify failed: ${result.left._tag}: ${result.left.reason}`)
  }
  println(valid ? "valid" : "invalid")
  return valid ? EXIT_OK : EXIT_NEGATIVE
}
