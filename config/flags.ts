// Command-line flags: `--data-dir`, `--api-listen`, `--workers`, `--log-level`, `--log-format`,
// `--config <path>` and a repeatable `--set <path>=<value>` reaching every key. Both `--flag value`
// and `--flag=value` work. `--reset-store` (no value) is a one-shot action, not a config key: it lets a
// data dir whose chain store is gone start a new chain (runtime/node/chain-guard.ts).
import { Either } from "effect"
import { assign, type Assignment } from "./assignment.ts"
import { ConfigError } from "./errors.ts"
import { fieldByFlag, fieldByPath, fromString } from "./fields.ts"

export interface ParsedFlags {
  readonly configPath?: string
  readonly resetStore?: boolean
  readonly assignments: ReadonlyArray<Assignment>
}

/**
 * `passThrough` lists flags owned by the caller (e.g. main's `--print-config`); they are skipped,
 * with their value when `takesValue` says so. Anything else unknown is an error (typo protection).
 */
export const parseFlags = (
  argv: ReadonlyArray<string>,
  passThrough: ReadonlyMap<string, { readonly takesValue: boolean }> = new Map(),
): Either.Either<ParsedFlags, ConfigError> => {
  const assignments: Array<Assignment> = []
  let configPath: string | undefined
  let resetStore = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ""
    const eq = arg.indexOf("=")
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg
    const pass = passThrough.get(name)
    if (pass !== undefined) {
      if (pass.takesValue && eq < 0) i++
      continue
    }
    if (arg === "--reset-store") {
      resetStore = true
      continue
    }
    const known = name === "--config" || name === "--set" || fieldByFlag.has(name)
    if (!known) {
      return Either.left(new ConfigError({ path: name, value: arg, reason: arg.startsWith("-") ? "unknown flag" : "unexpected argument" }))
    }
    let value: string
    if (eq > 0 && arg.startsWith("--")) value = arg.slice(eq + 1)
    else {
      const next = argv[i + 1]
      if (next === undefined) return Either.left(new ConfigError({ path: name, value: undefined, reason: "flag needs a value" }))
      value = next
      i++
    }
    if (name === "--config") {
      configPath = value
      continue
    }
    if (name === "--set") {
      const at = value.indexOf("=")
      const path = at > 0 ? value.slice(0, at) : value
      const field = fieldByPath.get(path)
      if (field === undefined) {
        return Either.left(new ConfigError({ path, value, reason: "unknown key (from flag --set)" }))
      }
      if (at < 0) return Either.left(new ConfigError({ path, value, reason: "expected --set <path>=<value>" }))
      const a = assign(field, fromString(field.kind, value.slice(at + 1)), "flag", "flag --set")
      if (Either.isLeft(a)) return Either.left(a.left)
      assignments.push(a.right)
      continue
    }
    const field = fieldByFlag.get(name)
    if (field === undefined) continue // unreachable: `known` checked above
    const a = assign(field, fromString(field.kind, value), "flag", `flag ${name}`)
    if (Either.isLeft(a)) return Either.left(a.left)
    assignments.push(a.right)
  }
  return Either.right({ assignments, ...(configPath === undefined ? {} : { configPath }), ...(resetStore ? { resetStore } : {}) })
}
