// `bun run cli crypto kzg commit <poly-size> <data-hex>` -> the 74-byte commitment as hex.
// Data is split into 64-byte big-endian evaluations and zero-padded to poly-size (16..256).
// Bad arguments print the reason and exit 2.
import { Effect, Either } from "effect"
import { BYTES_PER_SCALAR, makeKzg, POLY_SIZES } from "../../../../crates/ts/bls/kzg.ts"
import { EXIT_OK, parseHexArg, println, toHex, usageError } from "../../command.ts"

const USAGE = "usage: bun run cli crypto kzg commit <poly-size> <data-hex>"

export const run = async (args: ReadonlyArray<string>): Promise<number> => {
  const [sub, sizeArg, dataArg, ...extra] = args
  if (sub !== "commit") return usageError(sub === undefined ? "missing subcommand" : `unknown subcommand: ${sub}`, USAGE)
  if (extra.length > 0) return usageError(`unexpected argument: ${extra[0]}`, USAGE)
  const polySize = sizeArg !== undefined && /^[0-9]{1,4}$/.test(sizeArg) ? Number(sizeArg) : undefined
  if (polySize === undefined || !POLY_SIZES.includes(polySize)) {
    return usageError(`poly-size must be one of ${POLY_SIZES.join(", ")}: ${sizeArg ?? "(missing)"}`, USAGE)
  }
  const data = parseHexArg(dataArg)
  if (data === undefined) return usageError(`data must be hex: ${dataArg ?? "(missing)"}`, USAGE)
  if (data.length > polySize * BYTES_PER_SCALAR) {
    return usageError(`data is ${data.length} bytes; at most ${polySize * BYTES_PER_SCALAR} fit poly-size ${polySize}`, USAGE)
  }
  const r = Effect.runSync(Effect.either(Effect.flatMap(makeKzg(), (kzg) => kzg.commit(data, polySize))))
  if (Either.isLeft(r)) return usageError(`commit failed: ${r.left._tag}: ${r.left.reason}`)
  println(toHex(r.right))
  return EXIT_OK
}
