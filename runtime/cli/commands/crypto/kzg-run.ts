// `crypto kzg commit` (kzg.ts). Data is split into 64-byte big-endian evaluations and
// zero-padded to poly-size. Bad arguments fail with UsageError (exit 2).
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import { BYTES_PER_SCALAR, makeKzg, POLY_SIZES } from "../../../../crates/ts/bls/kzg.ts"
import { hexArg, println } from "../../command.ts"
import { UsageError } from "../../errors.ts"

export const commit = (sizeArg: string, dataArg: string): Effect.Effect<void, UsageError> =>
  Effect.gen(function* () {
    const polySize = /^[0-9]{1,4}$/.test(sizeArg) ? Number(sizeArg) : undefined
    if (polySize === undefined || !POLY_SIZES.includes(polySize)) {
      return yield* new UsageError({ reason: `poly-size must be one of ${POLY_SIZES.join(", ")}: ${sizeArg}` })
    }
    const data = yield* hexArg(dataArg, "data")
    if (data.length > polySize * BYTES_PER_SCALAR) {
      return yield* new UsageError({
        reason: `data is ${data.length} bytes; at most ${polySize * BYTES_PER_SCALAR} fit poly-size ${polySize}`,
      })
    }
    const commitment = yield* Effect.flatMap(makeKzg(), (kzg) => kzg.commit(data, polySize)).pipe(
      Effect.mapError((e) => new UsageError({ reason: `commit failed: ${e._tag}: ${e.reason}` })),
    )
    yield* println(bytesToHex(commitment))
  })
