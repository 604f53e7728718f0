// The load-time check of a plugin's sources (plugins/README.md "Isolation", DECISIONS D-PLUG-1): before
// the node imports a plugin (its top-level code would run at import), every file the plugin's entry
// reaches through static imports is parsed, and the plugin is refused unless
//   - each import is a relative file inside the plugin's folder, the contract's public module
//     (intrinsics/contract/index.ts, or `quilbun/contract` by name), or a package on ALLOWED_PACKAGES — so no `node:*`, `bun:*`,
//     `fs`, `net`, `child_process`, LMDB, libp2p or other node code;
//   - no dynamic `import()` or `require`;
//   - no reference to a global that reaches the process, files, network, timers, the clock or
//     randomness (REFUSED_GLOBALS, `new Date()` / `Date()` without an argument).
// The globals scan is lexical (comments and string literals skipped, property names like `x.process`
// ignored): cheap and meant to catch the honest mistake with a precise line; a plugin set on evading
// it (`globalThis` is refused, but computed names are not) is still held by the execution host's
// runtime guard for the clock and randomness (actors/execution/determinism.ts) and by the budget.
import { existsSync, readFileSync } from "node:fs"
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from "node:path"

/** Packages a plugin may import (any subpath): pure code, no I/O of their own. */
const ALLOWED_PACKAGES: ReadonlyArray<string> = ["effect", "@effect/cli", "@noble/hashes"]

/** The one module of the node a plugin may import. */
export const CONTRACT_MODULE = resolve(import.meta.dir, "../../intrinsics/contract/index.ts")

/**
 * The contract's public name (package.json `exports`): what a plugin installed as a package imports,
 * since it cannot reach the node's files by a relative path. The node provides it (public-modules.ts).
 */
export const CONTRACT_SPECIFIER = "quilbun/contract"

/**
 * The plugin's folder: for an entry inside `node_modules` (a plugin installed as a package), the
 * package's root (the nearest folder above the entry with a package.json), so a package may keep its
 * entry under `src/` or `dist/`; otherwise the entry's own folder. Computed from the resolved entry
 * alone, so the master and its workers (which get only the path) agree on it.
 */
export const pluginRoot = (entry: string): string => {
  const folder = dirname(entry)
  if (!entry.split(sep).includes("node_modules")) return folder
  for (let dir = folder; dir !== dirname(dir) && !dir.endsWith(`${sep}node_modules`); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir
  }
  return folder
}

/** Globals a plugin's code may not name, with what it should use instead. */
const REFUSED_GLOBALS: ReadonlyArray<readonly [string, string]> = [
  ["process", "the process is the node's"],
  ["Bun", "the runtime's APIs reach files, network and processes"],
  ["Deno", "the runtime's APIs reach files, network and processes"],
  ["globalThis", "the global object reaches everything the imports check keeps out"],
  ["global", "the global object reaches everything the imports check keeps out"],
  ["window", "the global object reaches everything the imports check keeps out"],
  ["require", "modules come in through static imports only"],
  ["eval", "code is what the code hash covers, not strings"],
  ["fetch", "no network"],
  ["WebSocket", "no network"],
  ["XMLHttpRequest", "no network"],
  ["Worker", "no threads"],
  ["SharedArrayBuffer", "no shared memory"],
  ["Atomics", "no shared memory"],
  ["setTimeout", "no timers: use ctx.frameNumber; Effect's scheduling in CLI code"],
  ["setInterval", "no timers: use ctx.frameNumber; Effect's scheduling in CLI code"],
  ["setImmediate", "no timers"],
  ["queueMicrotask", "no timers"],
  ["performance", "no clock: use ctx.frameNumber"],
  ["crypto", "no randomness; hashes and signatures are in ctx.crypto"],
]

/** Calls that read the clock or randomness: replay must give the same answer on every node. */
const REFUSED_CALLS: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/\bDate\s*\.\s*now\b/, "Date.now", "no clock: use ctx.frameNumber"],
  [/\bMath\s*\.\s*random\b/, "Math.random", "no randomness: derive values from the operation and state"],
  [/\bnew\s+Date\s*\(\s*\)/, "new Date()", "no clock: use ctx.frameNumber"],
  [/(?<![.\w$]|new\s+)\bDate\s*\(/, "Date()", "no clock: use ctx.frameNumber"],
  [/(?<![.\w$])Function\s*\(/, "Function()", "code is what the code hash covers, not strings"],
  [/\bimport\s*\(/, "import()", "modules come in through static imports only"],
  [/\bimport\s*\.\s*meta\b/, "import.meta", "a plugin does not see where it is installed"],
]

export interface SourceRefusal {
  /** Relative to the plugin's folder. */
  readonly file: string
  readonly line: number
  readonly what: string
  readonly reason: string
}

export const describeRefusal = (r: SourceRefusal): string => `${r.file}:${r.line}: ${r.what} is not allowed (${r.reason})`

const SCANNED = new Set([".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx"])
const loaderOf = (file: string): "ts" | "tsx" | "js" | "jsx" => {
  const ext = extname(file)
  return ext === ".tsx" ? "tsx" : ext === ".jsx" ? "jsx" : ext === ".js" || ext === ".mjs" || ext === ".cjs" ? "js" : "ts"
}

const packageOf = (specifier: string): string => {
  const parts = specifier.split("/")
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier)
}

/**
 * The source with comments and string contents blanked (newlines kept, so line numbers hold);
 * template literals keep their `${…}` expressions, which are code.
 */
export const codeOnly = (source: string): string => {
  const out = source.split("")
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " "
  }
  // Each open template literal's brace depth inside its current `${`.
  const templates: Array<number> = []
  let i = 0
  const n = source.length
  const inTemplateText = () => templates.length > 0 && templates[templates.length - 1] === -1
  while (i < n) {
    const c = source[i]
    if (inTemplateText()) {
      const start = i
      while (i < n && source[i] !== "`" && !(source[i] === "$" && source[i + 1] === "{")) i += source[i] === "\\" ? 2 : 1
      blank(start, i)
      if (source[i] === "`") templates.pop()
      else templates[templates.length - 1] = 0
      i += source[i] === "`" ? 1 : 2
      continue
    }
    if (c === "/" && source[i + 1] === "/") {
      const start = i
      while (i < n && source[i] !== "\n") i++
      blank(start, i)
    } else if (c === "/" && source[i + 1] === "*") {
      const start = i
      const end = source.indexOf("*/", i + 2)
      i = end < 0 ? n : end + 2
      blank(start, i)
    } else if (c === '"' || c === "'") {
      const start = ++i
      while (i < n && source[i] !== c && source[i] !== "\n") i += source[i] === "\\" ? 2 : 1
      blank(start, i)
      i++
    } else if (c === "`") {
      templates.push(-1)
      i++
    } else if (templates.length > 0 && c === "{") {
      templates[templates.length - 1] = (templates[templates.length - 1] ?? 0) + 1
      i++
    } else if (templates.length > 0 && c === "}") {
      const depth = templates[templates.length - 1] ?? 0
      templates[templates.length - 1] = depth === 0 ? -1 : depth - 1
      i++
    } else i++
  }
  return out.join("")
}

const lineAt = (text: string, index: number): number => text.slice(0, index).split("\n").length

const globalsIn = (file: string, source: string): Array<SourceRefusal> => {
  const code = codeOnly(source)
  const found: Array<SourceRefusal> = []
  for (const [name, reason] of REFUSED_GLOBALS) {
    // A bare identifier: not a property (`x.process`), not part of a longer name, not an object key.
    const m = new RegExp(`(?<![.\\w$])${name}(?![\\w$])(?!\\s*:(?!:))`).exec(code)
    if (m !== null) found.push({ file, line: lineAt(code, m.index), what: name, reason })
  }
  for (const [pattern, what, reason] of REFUSED_CALLS) {
    const m = pattern.exec(code)
    if (m !== null) found.push({ file, line: lineAt(code, m.index + (m[0].length - m[0].trimStart().length)), what, reason })
  }
  return found
}

const specifierLine = (source: string, specifier: string): number => {
  const at = source.search(new RegExp(`["']${specifier.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']`))
  return at < 0 ? 1 : lineAt(source, at)
}

/**
 * Every refusal in the files `entry` reaches by static imports inside its folder (empty: the
 * plugin may load). Unreadable files throw (the caller reports them as a load error).
 */
export const checkPluginSources = (entry: string): Array<SourceRefusal> => {
  const root = pluginRoot(entry)
  const refusals: Array<SourceRefusal> = []
  const seen = new Set<string>()
  const queue = [entry]
  while (queue.length > 0) {
    const path = queue.shift()
    if (path === undefined || seen.has(path)) continue
    seen.add(path)
    if (!SCANNED.has(extname(path))) continue
    const file = relative(root, path).split(sep).join("/")
    const source = readFileSync(path, "utf8")
    const refuse = (specifier: string, what: string, reason: string) => refusals.push({ file, line: specifierLine(source, specifier), what, reason })
    for (const imp of new Bun.Transpiler({ loader: loaderOf(path) }).scanImports(source)) {
      const spec = imp.path
      if (imp.kind === "dynamic-import" || imp.kind === "require-call") {
        refuse(spec, `${imp.kind === "require-call" ? "require" : "import"}("${spec}")`, "modules come in through static imports only")
        continue
      }
      if (spec.startsWith(".") || isAbsolute(spec)) {
        let target: string
        try {
          target = Bun.resolveSync(spec, dirname(path))
        } catch {
          refuse(spec, `import "${spec}"`, "it does not resolve")
          continue
        }
        if (target === CONTRACT_MODULE) continue
        const inside = relative(root, target)
        if (inside.startsWith("..") || isAbsolute(inside)) {
          refuse(spec, `import "${spec}"`, "outside the plugin's folder; the node is reached only through quilbun/contract (intrinsics/contract/index.ts)")
          continue
        }
        queue.push(join(root, inside))
        continue
      }
      if (spec === CONTRACT_SPECIFIER) continue
      if (!ALLOWED_PACKAGES.includes(packageOf(spec))) {
        refuse(spec, `import "${spec}"`, `plugins reach no files, network, store or process; packages allowed: ${ALLOWED_PACKAGES.join(", ")}`)
      }
    }
    refusals.push(...globalsIn(file, source))
  }
  return refusals
}
