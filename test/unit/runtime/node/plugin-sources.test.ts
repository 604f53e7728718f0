// The load-time source check (runtime/node/plugin-sources.ts): over the files a plugin's entry reaches,
// imports are relative inside the folder, the contract's public module or an allowed package; no
// dynamic import or require; no process, network, timer, clock or randomness globals. Comments,
// strings and property names do not count. Every refusal names the file and the line.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the sources under test are strings holding template literals
import { describe, expect, test } from "bun:test"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { CONTRACT_MODULE, checkPluginSources, codeOnly, describeRefusal } from "../../../../runtime/node/plugin-sources.ts"

const repo = join(import.meta.dir, "../../../..")

/** A plugin folder with `index.ts` = header + body, plus extra files; answers the refusals as lines. */
const check = (body: string, extra: Record<string, string> = {}): Array<string> => {
  const dir = mkdtempSync(join(tmpdir(), "quilbun-plugin-src-"))
  writeFileSync(join(dir, "index.ts"), `import * as C from "${CONTRACT_MODULE}"\nexport const contract = C\n${body}\n`)
  for (const [name, text] of Object.entries(extra)) {
    mkdirSync(join(dir, name, ".."), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return checkPluginSources(join(dir, "index.ts")).map(describeRefusal)
}

describe("plugin source check", () => {
  test("the shipped plugins pass", () => {
    expect(checkPluginSources(join(repo, "plugins/kv/index.ts"))).toEqual([])
    expect(checkPluginSources(join(repo, "plugins/template/index.ts"))).toEqual([])
  })

  test("allowed: relative files inside the folder (followed), effect, @effect/cli, @noble/hashes, type-only imports", () => {
    const ok = check(
      'import * as E from "effect/Effect"\nimport { sha256 } from "@noble/hashes/sha2.js"\nimport type { Stats } from "node:fs"\nimport { x } from "./lib/x.ts"\nexport const y = [E, sha256, x]',
      {
        "lib/x.ts": 'import * as Command from "@effect/cli/Command"\nexport const x = Command',
      },
    )
    expect(ok).toEqual([])
  })

  test("refused imports: node:*, bun:*, bare builtins, other packages, files outside the folder — also in a file reached from the entry", () => {
    expect(check('import { readFileSync } from "node:fs"\nexport const r = readFileSync')).toEqual([
      expect.stringMatching(/^index\.ts:3: import "node:fs" is not allowed \(plugins reach no files/),
    ])
    expect(check('import { Database } from "bun:sqlite"\nexport const d = Database')).toEqual([expect.stringMatching(/^index\.ts:3: import "bun:sqlite"/)])
    expect(check('import * as net from "net"\nexport const n = net')).toEqual([expect.stringMatching(/import "net" is not allowed/)])
    expect(check('import { open } from "lmdb"\nexport const o = open')).toEqual([expect.stringMatching(/import "lmdb" is not allowed/)])
    expect(check(`import { x } from "${join(repo, "runtime/store/index.ts")}"\nexport const y = x`)).toEqual([
      expect.stringMatching(/outside the plugin's folder/),
    ])
    expect(check('export { x } from "./helper.ts"', { "helper.ts": 'import { spawn } from "child_process"\nexport const x = spawn' })).toEqual([
      expect.stringMatching(/^helper\.ts:1: import "child_process" is not allowed/),
    ])
  })

  test("refused: dynamic import, require, process / Bun / globalThis / fetch / timers, the clock and randomness", () => {
    const refused = (code: string) => check(code).map((line) => line.replace(/^index\.ts:\d+: /, "").replace(/ is not allowed.*/, ""))
    expect(refused('export const m = () => import("./other.ts")')).toEqual(['import("./other.ts")', "import()"])
    expect(refused('export const m = require("fs")')).toEqual(['require("fs")', "require"])
    expect(refused("export const e = process.env.HOME")).toEqual(["process"])
    expect(refused("export const f = Bun.file")).toEqual(["Bun"])
    expect(refused("export const g = globalThis")).toEqual(["globalThis"])
    expect(refused('export const f = () => fetch("http://x")')).toEqual(["fetch"])
    expect(refused("export const t = () => setTimeout(() => 0, 1)")).toEqual(["setTimeout"])
    expect(refused("export const now = () => Date.now()")).toEqual(["Date.now"])
    expect(refused("export const now = () => new Date()")).toEqual(["new Date()"])
    expect(refused("export const r = () => Math.random()")).toEqual(["Math.random"])
    expect(refused("export const p = () => performance.now()")).toEqual(["performance"])
    expect(refused("export const c = () => crypto.getRandomValues(new Uint8Array(4))")).toEqual(["crypto"])
    expect(refused('export const f = Function("return 1")')).toEqual(["Function()"])
  })

  test("not refused: the same words in comments, strings, property names and object keys; a Date from a number", () => {
    const code = [
      "// process.env, Date.now(), Math.random() in a comment",
      "/* fetch(globalThis) */",
      'export const s = "process Date.now() require(x)" + `${1 + 1} import("y")`',
      "export const o = { process: 1, crypto: 2 }",
      "export const p = (ctx: { crypto: { sha256: (b: Uint8Array) => Uint8Array } }) => ctx.crypto.sha256(new Uint8Array(0))",
      "export const d = new Date(0).toISOString()",
      "export const q = o.process",
    ].join("\n")
    expect(check(code)).toEqual([])
  })

  test("a template literal's ${…} is code; its text is not", () => {
    expect(codeOnly("`a ${process.env} b`")).toBe("`  ${process.env}  `")
    expect(check("export const s = `x ${process.env.HOME} y`")).toEqual([expect.stringContaining("process is not allowed")])
  })
})
