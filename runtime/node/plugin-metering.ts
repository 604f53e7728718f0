// Loads plugin code with the loop meter's ticks (actors/execution/loop-meter.ts, DECISIONS
// D-EXEC-27): a Bun runtime plugin rewrites every source file under a plugin's folder as it is
// imported, so each loop body and each function body starts with `meterTick()`. The rewrite only
// inserts text at node boundaries found by a real parser (oxc), never removes any, and keeps line
// numbers (the import it adds shares the first line), so stack traces still point at the author's lines.
// The files on disk, which the load-time check reads and the code hash covers, are unchanged.
import { extname, resolve, sep } from "node:path"
import { plugin } from "bun"
import { parseSync } from "oxc-parser"

const METER_MODULE = resolve(import.meta.dir, "../../actors/execution/loop-meter.ts")
const TICK = "__quilbunMeterTick"

const LOOPS = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"])
const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"])

interface Span {
  readonly type: string
  readonly start: number
  readonly end: number
}
const isNode = (u: unknown): u is Span & Record<string, unknown> =>
  typeof u === "object" && u !== null && typeof (u as { type?: unknown }).type === "string" && typeof (u as { start?: unknown }).start === "number"

class PluginSyntaxError extends Error {}

/** `source` with a tick at the head of every loop body and function body, or a PluginSyntaxError. */
export const instrumentSource = (source: string, filename: string): string => {
  const parsed = parseSync(filename, source, { sourceType: "module" })
  const first = parsed.errors[0]
  if (first !== undefined) throw new PluginSyntaxError(`${filename}: ${first.message}`)
  const inserts: Array<readonly [number, string]> = []
  // A block gets the tick after its brace; a loop's single statement is wrapped in a block; an
  // arrow's expression body becomes `(tick(), expression)`, keeping its value.
  const tickBody = (body: unknown, owner: "loop" | "function"): void => {
    if (!isNode(body)) return
    if (body.type === "BlockStatement") inserts.push([body.start + 1, `${TICK}();`])
    else if (owner === "loop") inserts.push([body.start, `{${TICK}();`], [body.end, "}"])
    else inserts.push([body.start, `(${TICK}(), `], [body.end, ")"])
  }
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n)
      return
    }
    if (typeof node !== "object" || node === null) return
    if (isNode(node)) {
      if (LOOPS.has(node.type)) tickBody(node.body, "loop")
      else if (FUNCTIONS.has(node.type)) tickBody(node.body, "function")
    }
    for (const key in node) if (key !== "parent") visit((node as Record<string, unknown>)[key])
  }
  visit(parsed.program)
  // From the end, so earlier offsets stay valid; at one offset, the later-found insert goes first
  // (an inner body's opening brace never coincides with an outer one's, but closing ones may).
  inserts.sort((a, b) => b[0] - a[0])
  let out = source
  for (const [at, text] of inserts) out = out.slice(0, at) + text + out.slice(at)
  const shebang = out.startsWith("#!") ? out.indexOf("\n") + 1 : 0
  return `${out.slice(0, shebang)}import { meterTick as ${TICK} } from ${JSON.stringify(METER_MODULE)};${out.slice(shebang)}`
}

const LOADERS: Readonly<Record<string, "ts" | "tsx" | "js" | "jsx">> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
}
const metered = new Set<string>()
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")

/** Instruments every source file under `root` (not its node_modules) that is imported from now on; idempotent per root. */
export const meterPluginFolder = (root: string): void => {
  if (metered.has(root)) return
  metered.add(root)
  const filter = new RegExp(`^${escapeRegExp(root + sep)}(?!(?:.*/)?node_modules/).*\\.(?:[cm]?[jt]s|[jt]sx)$`)
  void plugin({
    name: `quilbun-meter:${root}`,
    setup(build) {
      build.onLoad({ filter }, async ({ path }) => {
        const source = await Bun.file(path).text()
        return { contents: instrumentSource(source, path), loader: LOADERS[extname(path)] ?? "ts" }
      })
    },
  })
}
