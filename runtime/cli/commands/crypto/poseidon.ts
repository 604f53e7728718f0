// `bun run cli crypto poseidon <hex>` → iden3 Poseidon HashBytes of the bytes, 32 bytes as hex.
import { poseidonHashBytes } from "../../../../crates/ts/poseidon.ts"
import { EXIT_OK, parseHexArg, println, toHex, usageError } from "../../command.ts"

const USAGE = "usage: bun run cli crypto poseidon <hex>"

export const run = async (args: ReadonlyArray<string>): Promise<number> => {
  if (args.length !== 1) return usageError(args.length === 0 ? "missing input" : "expected exactly one argument", USAGE)
  const input = parseHexArg(args[0])
  if (input === undefined) return usageError(`input must be hex: ${args[0]}`, USAGE)
  if (input.length === 0) return usageError("input must not be empty (HashBytes of nothing is undefined)", USAGE)
  println(toHex(poseidonHashBytes(input)))
  return EXIT_OK
}
