// One typed error for every configuration problem, printable as exactly one line.
import { Data } from "effect"

/** Exit status for an invalid configuration (bad arguments, same as the CLI convention). */
export const CONFIG_EXIT_CODE = 2

/**
 * `path` is the dotted config path (or the flag / file concerned), `value` what was given,
 * `reason` why it was refused, including which source it came from.
 */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly path: string
  readonly value: unknown
  readonly reason: string
}> {
  override get message(): string {
    return formatConfigError(this)
  }
}

const showValue = (value: unknown): string => {
  if (value === undefined) return "(missing)"
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))
    return (text ?? String(value)).replace(/\s+/g, " ")
  } catch {
    return String(value)
  }
}

/** `config: <path>: <value>: <reason>` on one line (no newline). */
export const formatConfigError = (e: { readonly path: string; readonly value: unknown; readonly reason: string }): string =>
  `config: ${e.path}: ${showValue(e.value)}: ${e.reason}`.replace(/[\r\n]+/g, " ")

/** What main/CLI does with a ConfigError: print `line` to stderr and exit with `code`. */
export const configErrorExit = (e: ConfigError): { readonly line: string; readonly code: number } => ({
  line: formatConfigError(e),
  code: CONFIG_EXIT_CODE,
})
