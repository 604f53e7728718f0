// Shared contract and helpers for CLI command modules (runtime/cli/commands/**).
// Exit codes: 0 success / "valid", 1 a negative answer ("invalid"), 2 bad arguments or usage.

export interface CommandModule {
  readonly run: (args: ReadonlyArray<string>) => Promise<number>
}

export const EXIT_OK = 0
export const EXIT_NEGATIVE = 1
export const EXIT_USAGE = 2

/** Prints the reason (and an optional usage line) to stderr and returns the usage exit code. */
export const usageError = (reason: string, usage?: string): number => {
  process.stderr.write(`error: ${reason}\n`)
  if (usage !== undefined) process.stderr.write(`${usage}\n`)
  return EXIT_USAGE
}

/** Parses a hex argument (optional 0x prefix, even length); undefined when malformed. */
export const parseHexArg = (value: string | undefined): Uint8Array | undefined => {
  if (value === undefined) return undefined
  const hex = value.startsWith("0x") || value.startsWith("0X") ? value.slice(2) : value
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined
  return Uint8Array.from(Buffer.from(hex, "hex"))
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")

export const println = (line: string): void => {
  process.stdout.write(`${line}\n`)
}
