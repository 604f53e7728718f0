// Environment overrides: one `QUILBUN_*` variable per config key (see fields.ts). An unknown
// `QUILBUN_*` variable is an error (typo protection), except the reserved process settings.
import { Either } from "effect"
import { assign, type Assignment } from "./assignment.ts"
import { ConfigError } from "./errors.ts"
import { fieldByEnv, fromString, RESERVED_ENV } from "./fields.ts"

export const parseEnv = (env: Readonly<Record<string, string | undefined>>): Either.Either<ReadonlyArray<Assignment>, ConfigError> => {
  const assignments: Array<Assignment> = []
  for (const name of Object.keys(env).sort()) {
    const raw = env[name]
    if (!name.startsWith("QUILBUN_") || raw === undefined || RESERVED_ENV.has(name)) continue
    const field = fieldByEnv.get(name)
    if (field === undefined) {
      return Either.left(new ConfigError({ path: name, value: raw, reason: "unknown QUILBUN_* environment variable" }))
    }
    const a = assign(field, fromString(field.kind, raw), "env", `env ${name}`)
    if (Either.isLeft(a)) return Either.left(a.left)
    assignments.push(a.right)
  }
  return Either.right(assignments)
}
