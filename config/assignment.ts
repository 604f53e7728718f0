// An assignment is one validated leaf value from one source. Every source (file, env, flags)
// produces a list of them; the loader applies them in priority order.
import { Either, ParseResult, Schema } from "effect"
import { ConfigError } from "./errors.ts"
import type { ConfigField } from "./fields.ts"

export type ConfigSource = "default" | "file" | "env" | "flag"

export interface Assignment {
  readonly field: ConfigField
  /** YAML-side (encoded) value, already accepted by the leaf schema; `undefined` = unset an optional leaf. */
  readonly value: unknown
  readonly source: ConfigSource
}

/** Validates `value` against the leaf schema; `origin` names the source in the error reason. */
export const assign = (field: ConfigField, value: unknown, source: ConfigSource, origin: string): Either.Either<Assignment, ConfigError> => {
  if (value === null && field.optional === true) return Either.right({ field, value: undefined, source })
  const decoded = Schema.decodeUnknownEither(field.schema)(value)
  if (Either.isRight(decoded)) return Either.right({ field, value, source })
  const issue = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)[0]
  // An issue inside a list names the element (`p2p.listen[1]`) and shows only that element.
  let path = field.path.join(".")
  let shown = value
  for (const key of issue?.path ?? []) {
    path += typeof key === "number" ? `[${key}]` : `.${String(key)}`
    shown = typeof shown === "object" && shown !== null ? (shown as Record<PropertyKey, unknown>)[key] : undefined
  }
  return Either.left(new ConfigError({ path, value: shown, reason: `${issue?.message ?? "invalid value"} (from ${origin})` }))
}
