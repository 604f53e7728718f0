// Intrinsic plugins from config (`plugins:` / QUILBUN_PLUGINS / --set plugins=a,b): each entry is a
// module path (relative to the working directory) or a package name; its default export is an
// Intrinsic. The node's intrinsics are the built-ins followed by the plugins, validated together by
// loadIntrinsics (manifest schema, op-type / name / domain overlaps). The master resolves every entry
// to an absolute file and hands those files to its workers, so all processes run the same code.
//
// Code hash: SHA-256 over the source files of the plugin's folder (the directory holding its entry
// module, or for a package in node_modules the package's root: plugin-sources.ts `pluginRoot`),
// recursively (skipping node_modules and dot entries; .ts .tsx .js .mjs .cjs .json only), in sorted
// relative-path order, each as `u32 len ‖ relative path ‖ u64 len ‖ content` — so renaming, adding or
// editing any file of the plugin changes it.
import { readdirSync, readFileSync } from "node:fs"
import { isAbsolute, join, relative, resolve, sep } from "node:path"
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { installDeterminismGuard } from "../../actors/execution/determinism.ts"
import { CanonicalWriter, type Intrinsic, loadIntrinsics } from "../../intrinsics/contract/index.ts"
import { builtInIntrinsics } from "./intrinsics.ts"
import { checkPluginSources, describeRefusal, pluginRoot } from "./plugin-sources.ts"
import { meterPluginFolder } from "./plugin-metering.ts"
import { providePublicModules } from "./public-modules.ts"

export class PluginLoadError extends Data.TaggedError("PluginLoadError")<{ readonly plugin: string; readonly reason: string }> {
  override get message(): string {
    return `plugin ${this.plugin}: ${this.reason}`
  }
}

interface LoadedPlugin {
  /** As configured. */
  readonly spec: string
  /** The resolved entry module (what workers import). */
  readonly path: string
  readonly intrinsic: Intrinsic
  readonly codeHash: string
}

export interface NodeIntrinsics {
  /** Built-ins, then plugins in configured order. */
  readonly intrinsics: ReadonlyArray<Intrinsic>
  readonly plugins: ReadonlyArray<LoadedPlugin>
}

export const builtInsOnly: NodeIntrinsics = { intrinsics: builtInIntrinsics, plugins: [] }

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** A path (`./x`, `../x`, `/x`) resolves against `cwd`; anything else is a package name resolved from `cwd`. */
const resolvePlugin = (spec: string, cwd: string): Either.Either<string, PluginLoadError> => {
  const target = spec.startsWith(".") || isAbsolute(spec) ? resolve(cwd, spec) : spec
  try {
    return Either.right(Bun.resolveSync(target, cwd))
  } catch (e) {
    return Either.left(new PluginLoadError({ plugin: spec, reason: `cannot resolve: ${reasonOf(e)}` }))
  }
}

const SOURCE = /\.(ts|tsx|js|mjs|cjs|json)$/

const sourceFiles = (root: string, dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (d.name.startsWith(".") || d.name === "node_modules") return []
    const path = join(dir, d.name)
    if (d.isDirectory()) return sourceFiles(root, path)
    return d.isFile() && SOURCE.test(d.name) ? [relative(root, path).split(sep).join("/")] : []
  })

/** The code hash of the plugin whose entry module is `entry` (see the header). */
export const pluginCodeHash = (entry: string): string => {
  const root = pluginRoot(entry)
  const w = new CanonicalWriter()
  for (const file of sourceFiles(root, root).sort()) {
    const content = readFileSync(join(root, file))
    w.bytes(new TextEncoder().encode(file)).u64(BigInt(content.length)).fixed(content)
  }
  return bytesToHex(sha256(w.finish()))
}

const isIntrinsic = (u: unknown): u is Intrinsic =>
  typeof u === "object" &&
  u !== null &&
  "manifest" in u &&
  "operations" in u &&
  Array.isArray(u.operations) &&
  "queries" in u &&
  Array.isArray(u.queries) &&
  "builders" in u &&
  typeof u.builders === "object"

const loadPlugin = (spec: string, cwd: string): Effect.Effect<LoadedPlugin, PluginLoadError> =>
  Effect.gen(function* () {
    const path = yield* resolvePlugin(spec, cwd)
    // Before the import: a refused plugin's top-level code never runs (plugin-sources.ts).
    const refusals = yield* Effect.try({
      try: () => checkPluginSources(path),
      catch: (e) => new PluginLoadError({ plugin: spec, reason: `cannot read its sources: ${reasonOf(e)}` }),
    })
    const first = refusals[0]
    if (first !== undefined) {
      const more = refusals.length > 1 ? ` (and ${refusals.length - 1} more: ${refusals.slice(1, 4).map(describeRefusal).join("; ")})` : ""
      return yield* new PluginLoadError({ plugin: spec, reason: `${describeRefusal(first)}${more}` })
    }
    // Imported with the loop meter's ticks in every loop and function (plugin-metering.ts).
    yield* Effect.try({
      try: () => meterPluginFolder(pluginRoot(path)),
      catch: (e) => new PluginLoadError({ plugin: spec, reason: reasonOf(e) }),
    })
    const module: unknown = yield* Effect.tryPromise({
      try: () => import(path),
      catch: (e) => new PluginLoadError({ plugin: spec, reason: `cannot import ${path}: ${reasonOf(e)}` }),
    })
    const intrinsic = typeof module === "object" && module !== null && "default" in module ? module.default : undefined
    if (!isIntrinsic(intrinsic)) {
      return yield* new PluginLoadError({ plugin: spec, reason: "its default export is not an intrinsic (manifest, operations, queries, builders)" })
    }
    // Alone first, so a malformed manifest or a missing operation is the plugin's own error.
    const alone = loadIntrinsics([intrinsic])
    if (Either.isLeft(alone)) return yield* new PluginLoadError({ plugin: spec, reason: alone.left.message })
    const codeHash = yield* Effect.try({ try: () => pluginCodeHash(path), catch: (e) => new PluginLoadError({ plugin: spec, reason: reasonOf(e) }) })
    return { spec, path, intrinsic, codeHash }
  })

/** Imports `specs`, then validates built-ins + plugins as one set; an overlap names the later plugin and both intrinsics. */
export const loadNodeIntrinsics = (specs: ReadonlyArray<string>, cwd: string): Effect.Effect<NodeIntrinsics, PluginLoadError> =>
  Effect.gen(function* () {
    if (specs.length === 0) return builtInsOnly
    // Before any plugin module runs: a Date.now or Math.random it keeps from import time is the guarded one.
    installDeterminismGuard()
    // A plugin installed as a package reaches the contract by its public name.
    providePublicModules()
    const plugins = yield* Effect.forEach(specs, (spec) => loadPlugin(spec, cwd))
    const intrinsics = [...builtInIntrinsics, ...plugins.map((p) => p.intrinsic)]
    const all = loadIntrinsics(intrinsics)
    if (Either.isLeft(all)) {
      const e = all.left
      const name = "second" in e ? e.second : e.name
      const plugin = plugins.findLast((p) => p.intrinsic.manifest.name === name)?.spec ?? specs.join(",")
      return yield* new PluginLoadError({ plugin, reason: e.message })
    }
    return { intrinsics, plugins }
  })
