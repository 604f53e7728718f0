// `crypto poseidon` (poseidon.ts): the hash of a non-empty hex input.
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import { poseidonHashBytes } from "../../../../crates/ts/poseidon.ts"
import { hexArg, println } from "../../command.ts"
import { UsageError } from "../../errors.ts"

export const poseidon = (inputArg: string): Effect.Effect<void, UsageError> =>
  Effect.gen(function* () {
    const input = yield* hexArg(inputArg, "input")
    if (input.length === 0) {
      return yield* new UsageError({ reason: "input must not be empty (HashBytes of nothing is undefined)" })
    }
    yield* println(bytesToHex(poseidonHashBytes(input)))
  })
