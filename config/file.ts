// The YAML config file: reading it into assignments (unknown keys are errors) and writing the
// defaults on first start.
import { existsSync, readFileSync, statSync } from "node:fs"
import { dirname } from "node:path"
import { Effect, Either } from "effect"
import YAML from "yaml"
import { assign, type Assignment } from "./assignment.ts"
import { defaultConfigEncoded } from "./defaults.ts"
import { ConfigError } from "./errors.ts"
import { fieldByPath, GROUPS } from "./fields.ts"
import { ensurePrivateDir, errorReason, writeFileAtomic } from "./fs.ts"

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** Validates a parsed YAML document, leaf by leaf, naming the file in every error. */
const fileAssignments = (doc: unknown, file: string): Either.Either<ReadonlyArray<Assignment>, ConfigError> => {
  if (doc === null || doc === undefined) return Either.right([])
  if (!isMapping(doc)) return Either.left(new ConfigError({ path: file, value: doc, reason: "expected a YAML mapping at the top level" }))
  const out: Array<Assignment> = []
  const origin = `file ${file}`
  for (const [key, value] of Object.entries(doc)) {
    if (GROUPS.has(key)) {
      if (!isMapping(value)) {
        return Either.left(new ConfigError({ path: key, value, reason: `expected a mapping (from ${origin})` }))
      }
      for (const [sub, subValue] of Object.entries(value)) {
        const field = fieldByPath.get(`${key}.${sub}`)
        if (field === undefined) {
          return Either.left(new ConfigError({ path: `${key}.${sub}`, value: subValue, reason: `unknown key (from ${origin})` }))
        }
        const a = assign(field, subValue, "file", origin)
        if (Either.isLeft(a)) return Either.left(a.left)
        out.push(a.right)
      }
      continue
    }
    const field = fieldByPath.get(key)
    if (field === undefined) return Either.left(new ConfigError({ path: key, value, reason: `unknown key (from ${origin})` }))
    const a = assign(field, value, "file", origin)
    if (Either.isLeft(a)) return Either.left(a.left)
    out.push(a.right)
  }
  return Either.right(out)
}

/** The largest config file read (the defaults are under 1 KiB). */
export const MAX_CONFIG_BYTES = 1024 * 1024

/** Reads and validates `file`; a missing file yields no assignments unless `mustExist`. */
export const readConfigFile = (file: string, mustExist: boolean): Effect.Effect<ReadonlyArray<Assignment>, ConfigError> =>
  Effect.suspend(() => {
    if (!existsSync(file)) {
      return mustExist ? Effect.fail(new ConfigError({ path: "--config", value: file, reason: "file not found" })) : Effect.succeed([])
    }
    let text: string
    try {
      // A config is a small regular file: a device (`--config /dev/zero`) or a huge file would be read
      // without end, eating memory, before any of it is checked.
      const stat = statSync(file)
      if (!stat.isFile()) return Effect.fail(new ConfigError({ path: "--config", value: file, reason: "not a regular file" }))
      if (stat.size > MAX_CONFIG_BYTES) {
        return Effect.fail(new ConfigError({ path: "--config", value: file, reason: `larger than ${MAX_CONFIG_BYTES} bytes (${stat.size})` }))
      }
      text = readFileSync(file, "utf8")
    } catch (e) {
      return Effect.fail(new ConfigError({ path: "--config", value: file, reason: `cannot read: ${errorReason(e)}` }))
    }
    const doc = YAML.parseDocument(text, { uniqueKeys: true })
    const first = doc.errors[0]
    if (first !== undefined) {
      const line = first.linePos?.[0]
      const at = line === undefined ? "" : ` at line ${line.line}:${line.col}`
      return Effect.fail(new ConfigError({ path: file, value: "(yaml)", reason: `invalid YAML${at}: ${first.code}` }))
    }
    return Either.match(fileAssignments(doc.toJS() as unknown, file), {
      onLeft: (e) => Effect.fail(e),
      onRight: (a) => Effect.succeed(a),
    })
  })

/**
 * The default file text. `dataDir` is left out (the file lives inside it) and `workers` is a
 * comment, so a config written on one machine still follows the core count of the next.
 */
const defaultConfigYaml = (cores: number): string => {
  const { dataDir: _dataDir, workers, ...rest } = defaultConfigEncoded(cores)
  const doc = new YAML.Document(rest)
  doc.commentBefore =
    " quilbun node configuration (written on first start with the defaults).\n" +
    " Priority: this file < QUILBUN_* environment < command-line flags.\n" +
    ` workers: ${workers}   # default: number of cores - 1 (at least 1)`
  return doc.toString()
}

/**
 * Writes the default config file if it does not exist (0600, directory 0700). Returns whether it was
 * created. A failure names `dataDir` (the default file lives in it; no --config was given).
 */
export const writeDefaultConfigFile = (file: string, cores: number): Effect.Effect<boolean, ConfigError> =>
  Effect.try({
    try: () => {
      if (existsSync(file)) return false
      ensurePrivateDir(dirname(file))
      writeFileAtomic(file, defaultConfigYaml(cores))
      return true
    },
    catch: (e) => new ConfigError({ path: "dataDir", value: dirname(file), reason: `cannot write the default config ${file}: ${errorReason(e)}` }),
  })
