// Shared helpers for CLI commands (runtime/cli/commands/**).
// Exit codes: 0 success / "valid", 1 a negative answer ("invalid"), 2 bad arguments or usage.
import { hexToBytes } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import { UsageError } from "./errors.ts"

export const EXIT_OK = 0
export const EXIT_NEGATIVE = 1
export const EXIT_USAGE = 2

/** Parses a hex argument (optional 0x prefix, even length); undefined when malformed. */
const parseHexArg = (value: string | undefined): Uint8Array | undefined => {
  if (value === undefined) return undefined
  const hex = value.startsWith("0x") || value.startsWith("0X") ? value.slice(2) : value
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined
  return hexToBytes(hex)
}

/** A hex argument, optionally of an exact byte length, or a UsageError naming what was wrong. */
export const hexArg = (value: string, what: string, size?: number): Effect.Effect<Uint8Array, UsageError> => {
  const bytes = parseHexArg(value)
  if (bytes === undefined) return Effect.fail(new UsageError({ reason: `${what} must be hex: ${value}` }))
  if (size !== undefined && bytes.length !== size) {
    return Effect.fail(new UsageError({ reason: `${what} must be ${size} bytes, got ${bytes.length}` }))
  }
  return Effect.succeed(bytes)
}

// Command output goes straight to stdout, line by line: it is the CLI's contract with scripts.
export const println = (line: string): Effect.Effect<void> => Effect.sync(() => process.stdout.write(`${line}\n`))

/** Loads a command's implementation only when it runs, so `--help` and other commands stay fast. */
export const lazy = <M>(load: () => Promise<M>): Effect.Effect<M> => Effect.promise(load)
