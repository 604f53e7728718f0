// The loader: defaults < YAML file < QUILBUN_* environment < flags, each leaf validated where it
// comes from (so the error names its source), then the merged whole decoded by NodeConfigSchema.
// Pure with respect to the process: argv, env, core count and cwd are inputs.
import { availableParallelism } from "node:os"
import { isAbsolute, join, resolve } from "node:path"
import { Context, Effect, Either, Layer, ParseResult, Schema } from "effect"
import type { Assignment, ConfigSource } from "./assignment.ts"
import { DEFAULT_DATA_DIR, defaultConfigEncoded } from "./defaults.ts"
import { parseEnv } from "./env.ts"
import { ConfigError } from "./errors.ts"
import { CONFIG_FIELDS } from "./fields.ts"
import { readConfigFile, writeDefaultConfigFile } from "./file.ts"
import { parseFlags } from "./flags.ts"
import { ensurePrivateDir, errorReason } from "./fs.ts"
import { NodeConfigSchema, type NodeConfig } from "./schema.ts"

export interface LoadConfigInput {
  readonly argv: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cores: number
  readonly cwd: string
  /** Flags the caller handles itself (skipped here instead of being rejected as unknown). */
  readonly passThroughFlags?: ReadonlyMap<string, { readonly takesValue: boolean }>
}

export interface LoadedConfig {
  readonly config: NodeConfig
  /** Where the YAML file is (or would be written on first start). */
  readonly configPath: string
  /** Which source supplied each leaf, by dotted path (for `--print-config`). */
  readonly sources: Readonly<Record<string, ConfigSource>>
  /** `--reset-store`: start a new chain when the chain's store is missing (never persisted). */
  readonly resetStore: boolean
}

const fromEither = <A>(e: Either.Either<A, ConfigError>): Effect.Effect<A, ConfigError> => (Either.isLeft(e) ? Effect.fail(e.left) : Effect.succeed(e.right))

const lastValue = (as: ReadonlyArray<Assignment>, path: string): unknown => as.findLast((a) => a.field.path.join(".") === path)?.value

interface Located {
  readonly dataDir: string
  readonly configPath: string
  readonly explicit: boolean
  readonly resetStore: boolean
  readonly env: ReadonlyArray<Assignment>
  readonly flags: ReadonlyArray<Assignment>
}

/** Parses env and flags and finds the config file: `--config`, else `<dataDir>/config.yml`. */
const locate = (input: LoadConfigInput): Effect.Effect<Located, ConfigError> =>
  Effect.gen(function* () {
    const flags = yield* fromEither(parseFlags(input.argv, input.passThroughFlags))
    const env = yield* fromEither(parseEnv(input.env))
    const dir = lastValue(flags.assignments, "dataDir") ?? lastValue(env, "dataDir") ?? DEFAULT_DATA_DIR
    const dataDir = resolve(input.cwd, String(dir))
    const explicit = flags.configPath !== undefined
    const configPath = flags.configPath === undefined ? join(dataDir, "config.yml") : resolve(input.cwd, flags.configPath)
    return { dataDir, configPath, explicit, resetStore: flags.resetStore === true, env, flags: flags.assignments }
  })

const setIn = (root: Record<string, unknown>, path: ReadonlyArray<string>, value: unknown): void => {
  let node = root
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    if (typeof next === "object" && next !== null) node = next as Record<string, unknown>
    else {
      const created: Record<string, unknown> = {}
      node[key] = created
      node = created
    }
  }
  const last = path[path.length - 1]
  if (last === undefined) return
  if (value === undefined) delete node[last]
  else node[last] = value
}

export const loadConfigDetailed = (input: LoadConfigInput): Effect.Effect<LoadedConfig, ConfigError> =>
  Effect.gen(function* () {
    const where = yield* locate(input)
    const file = yield* readConfigFile(where.configPath, where.explicit)
    const merged = structuredClone(defaultConfigEncoded(input.cores)) as unknown as Record<string, unknown>
    const sources: Record<string, ConfigSource> = {}
    for (const f of CONFIG_FIELDS) sources[f.path.join(".")] = "default"
    for (const a of [...file, ...where.env, ...where.flags]) {
      setIn(merged, a.field.path, a.value)
      sources[a.field.path.join(".")] = a.source
    }
    const decoded = Schema.decodeUnknownEither(NodeConfigSchema, { onExcessProperty: "error" })(merged)
    if (Either.isLeft(decoded)) {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)[0]
      // The value at the failing path (a whole group for a cross-field rule), not the whole config.
      const value = (issue?.path ?? []).reduce<unknown>(
        (node, key) => (typeof node === "object" && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined),
        merged,
      )
      return yield* new ConfigError({
        path: issue?.path.join(".") ?? "",
        value,
        reason: issue?.message ?? "invalid configuration",
      })
    }
    const config = decoded.right
    const dataDir = isAbsolute(config.dataDir) ? config.dataDir : resolve(input.cwd, config.dataDir)
    return { config: { ...config, dataDir }, configPath: where.configPath, sources, resetStore: where.resetStore }
  })

export const loadConfig = (input: LoadConfigInput): Effect.Effect<NodeConfig, ConfigError> => Effect.map(loadConfigDetailed(input), (l) => l.config)

/**
 * First-start step, separate from loading: creates the config file's directory (0700) and writes
 * the default `config.yml` (0600) if there is none. Returns the path and whether it was created.
 */
export const ensureConfigFile = (input: LoadConfigInput): Effect.Effect<{ readonly path: string; readonly created: boolean }, ConfigError> =>
  Effect.gen(function* () {
    const where = yield* locate(input)
    if (where.explicit) return { path: where.configPath, created: false } // an explicit --config must exist
    const created = yield* writeDefaultConfigFile(where.configPath, input.cores)
    return { path: where.configPath, created }
  })

/** Creates the data directory (recursive, mode 0700). */
export const ensureDataDir = (config: NodeConfig): Effect.Effect<void, ConfigError> =>
  Effect.try({
    try: () => ensurePrivateDir(config.dataDir),
    catch: (e) => new ConfigError({ path: "dataDir", value: config.dataDir, reason: `cannot create: ${errorReason(e)}` }),
  })

/** The input for the running process (argv after the script, real env, cores, cwd). */
export const processConfigInput = (passThroughFlags?: ReadonlyMap<string, { readonly takesValue: boolean }>): LoadConfigInput => ({
  argv: process.argv.slice(2),
  env: process.env,
  cores: availableParallelism(),
  cwd: process.cwd(),
  ...(passThroughFlags === undefined ? {} : { passThroughFlags }),
})

export class NodeConfigTag extends Context.Tag("quilbun/NodeConfig")<NodeConfigTag, NodeConfig>() {}

/** Loads the config (no writes) and provides it; fails the layer with ConfigError. */
export const NodeConfigLive = (input: LoadConfigInput): Layer.Layer<NodeConfigTag, ConfigError> => Layer.effect(NodeConfigTag, loadConfig(input))
