// `bun run plugin new`: generates into a temporary plugins folder (--dir) laid out like the repo
// (intrinsics/ and node_modules/ linked beside it, so a plugin's relative contract import resolves),
// and checks the result passes its own tests and loads with the built-ins and kv without overlap.
import { afterAll, describe, expect, test } from "bun:test"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type Intrinsic, loadIntrinsics } from "../../../../intrinsics/contract/index.ts"
import kv from "../../../../plugins/kv/index.ts"
import template from "../../../../plugins/template/index.ts"
import { builtInIntrinsics } from "../../../../runtime/node/intrinsics.ts"
import { loadNodeIntrinsics } from "../../../../runtime/node/plugins.ts"

const REPO = resolve(import.meta.dir, "../../../..")
const SCRIPT = join(REPO, "runtime/cli/plugin-new.ts")
const root = mkdtempSync(join(tmpdir(), "quilbun-plugin-new-"))
const plugins = join(root, "plugins")
mkdirSync(plugins)
cpSync(join(REPO, "plugins/kv"), join(plugins, "kv"), { recursive: true })
symlinkSync(join(REPO, "intrinsics"), join(root, "intrinsics"))
symlinkSync(join(REPO, "node_modules"), join(root, "node_modules"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const pluginNew = (...args: Array<string>) => {
  const r = Bun.spawnSync([process.execPath, SCRIPT, "new", ...args, "--dir", plugins], { cwd: REPO, env: { ...process.env, NO_COLOR: "1" } })
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() }
}

describe("bun run plugin new", () => {
  test("counter: created with a free op type, passes its own tests, loads next to the built-ins, kv and the template", async () => {
    const r = pluginNew("counter")
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const dir = join(plugins, "counter")
    expect(readdirSync(dir).sort()).toEqual(["README.md", "cli.ts", "counter.test.ts", "counter.ts", "index.ts"])
    expect(readFileSync(join(dir, "counter.ts"), "utf8")).toContain('"q_counter"')
    expect(readFileSync(join(dir, "README.md"), "utf8")).toContain("--set plugins=./plugins/counter")

    const tests = Bun.spawnSync([process.execPath, "test", "./plugins/counter"], { cwd: root, env: { ...process.env, NO_COLOR: "1" } })
    expect(tests.stderr.toString()).toContain("6 pass")
    expect(tests.exitCode).toBe(0)

    const counter = ((await import(join(dir, "index.ts"))) as { default: Intrinsic }).default
    expect(counter.manifest.name).toBe("counter")
    expect(counter.manifest.opTypes).toEqual([0x7300]) // 0x71 is kv's block, 0x72 the template's
    expect(Either.isRight(loadIntrinsics([...builtInIntrinsics, kv, template, counter]))).toBe(true)
    // As the node loads it from `--set plugins=./plugins/kv,./plugins/counter` in that folder.
    const node = await Effect.runPromise(loadNodeIntrinsics(["./plugins/kv", "./plugins/counter"], root))
    expect(node.intrinsics.map((i) => i.manifest.name)).toEqual([...builtInIntrinsics.map((i) => i.manifest.name), "kv", "counter"])
  }, 60_000)

  test("a second plugin takes the next free block", async () => {
    expect(pluginNew("second").code).toBe(0)
    const second = ((await import(join(plugins, "second", "index.ts"))) as { default: Intrinsic }).default
    expect(second.manifest.opTypes).toEqual([0x7400])
  }, 60_000)

  test("bad names exit 2 and create nothing", () => {
    for (const name of ["Counter", "1abc", "a_b", "a".repeat(33), "-x", "hypergraph", "token", "node", "template", "../evil"]) {
      const before = readdirSync(plugins).sort()
      const r = pluginNew(name)
      expect(r.code).toBe(2)
      expect(r.stderr).toContain("invalid plugin name")
      expect(readdirSync(plugins).sort()).toEqual(before)
    }
    expect(pluginNew().code).toBe(2) // no name: usage
  }, 60_000)

  test("an existing folder is refused (exit 2) and left untouched", () => {
    const mine = join(plugins, "mine")
    mkdirSync(mine)
    writeFileSync(join(mine, "keep.txt"), "mine")
    for (const name of ["mine", "kv"]) {
      const r = pluginNew(name)
      expect(r.code).toBe(2)
      expect(r.stderr).toContain("already exists")
    }
    expect(readdirSync(mine)).toEqual(["keep.txt"])
    expect(readFileSync(join(mine, "keep.txt"), "utf8")).toBe("mine")
    expect(existsSync(join(plugins, "kv", "kv.ts"))).toBe(true)
  }, 60_000)
})
