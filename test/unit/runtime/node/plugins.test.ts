// Loading plugins from config: the list reaches the config from the file, env and --set; each entry
// is imported and validated with the built-ins (errors name the plugin, and both parties of an
// overlap); the code hash covers the plugin's source files; workers receive the resolved paths.
import { describe, expect, test } from "bun:test"
import { cpSync, existsSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { configErrorExit, loadConfig } from "../../../../config/index.ts"
import { workerArgv } from "../../../../runtime/kernel/process/protocol.ts"
import { parseWorkerArgs } from "../../../../runtime/kernel/process/worker-args.ts"
import { prepareNode } from "../../../../runtime/node/boot.ts"
import { loadNodeIntrinsics, pluginCodeHash } from "../../../../runtime/node/plugins.ts"

const repo = resolve(import.meta.dir, "../../../..")
const fixture = (name: string) => `./test/unit/runtime/node/fixtures/plugins/${name}.ts`
const load = (specs: ReadonlyArray<string>) => Effect.runPromise(Effect.either(loadNodeIntrinsics(specs, repo)))

describe("plugin loading", () => {
  test("./plugins/kv loads after the built-ins, with a SHA-256 code hash of its files", async () => {
    const loaded = Either.getOrThrow(await load(["./plugins/kv"]))
    expect(loaded.intrinsics.map((i) => i.manifest.name)).toEqual(["hypergraph", "token", "kv"])
    const [plugin] = loaded.plugins
    expect(plugin?.path).toBe(join(repo, "plugins/kv/index.ts"))
    expect(plugin?.codeHash).toMatch(/^[0-9a-f]{64}$/)
  })

  test("the code hash changes with any source file of the plugin", () => {
    const dir = mkdtempSync(join(tmpdir(), "quilbun-plugin-hash-"))
    cpSync(join(repo, "plugins/kv"), dir, { recursive: true })
    const before = pluginCodeHash(join(dir, "index.ts"))
    expect(before).toBe(pluginCodeHash(join(repo, "plugins/kv/index.ts")))
    writeFileSync(join(dir, "extra.ts"), "export {}\n")
    expect(pluginCodeHash(join(dir, "index.ts"))).not.toBe(before)
  })

  test("a malformed manifest: the error names the plugin and the field", async () => {
    const e = await load([fixture("bad-manifest")])
    expect(Either.isLeft(e) && e.left.plugin).toBe(fixture("bad-manifest"))
    expect(Either.isLeft(e) && e.left.message).toContain("version")
  })

  test("an overlapping op type names both intrinsics", async () => {
    const e = await load(["./plugins/kv", fixture("overlap")])
    expect(Either.isLeft(e) && e.left.plugin).toBe(fixture("overlap"))
    expect(Either.isLeft(e) && e.left.message).toMatch(/"kv" and "kv-clash" both claim op type 0x7100/)
  })

  test("unresolvable modules and non-intrinsic exports are refused with the plugin named", async () => {
    const missing = await load(["./plugins/none"])
    expect(Either.isLeft(missing) && missing.left.message).toMatch(/^plugin \.\/plugins\/none: cannot resolve/)
    const other = await load([fixture("not-intrinsic")])
    expect(Either.isLeft(other) && other.left.message).toContain("not an intrinsic")
  })
})

describe("plugins in config and worker args", () => {
  const input = (argv: ReadonlyArray<string>, env: Record<string, string> = {}) => ({
    argv: ["--data-dir", mkdtempSync(join(tmpdir(), "quilbun-plugins-cfg-")), ...argv],
    env,
    cores: 2,
    cwd: repo,
  })
  test("default empty; --set plugins=a,b and QUILBUN_PLUGINS give the list", async () => {
    expect((await Effect.runPromise(loadConfig(input([])))).plugins).toEqual([])
    expect((await Effect.runPromise(loadConfig(input(["--set", "plugins=./plugins/kv,some-pkg"])))).plugins).toEqual(["./plugins/kv", "some-pkg"])
    const fromEnv = await Effect.runPromise(loadConfig(input([], { QUILBUN_PLUGINS: "./a, ./b" })))
    expect(fromEnv.plugins).toEqual(["./a", "./b"])
  })

  test("workers receive the resolved paths (--plugin, repeated)", () => {
    const argv = workerArgv({ core: 1, dataDir: "/d", logFormat: "json", logLevel: "info", networkId: 99, plugins: ["/x/a.ts", "/y/b.ts"] })
    expect(Either.getOrThrow(parseWorkerArgs(argv)).plugins).toEqual(["/x/a.ts", "/y/b.ts"])
    expect(Either.getOrThrow(parseWorkerArgs(workerArgv({ core: 1, dataDir: "/d", logFormat: "json", logLevel: "info" }))).plugins).toEqual([])
  })
})

test("a node whose plugin does not load stops like a config error: exit 2, one line naming the plugin, nothing written", async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), "quilbun-plugins-boot-")), "data")
  const input = { argv: ["--data-dir", dataDir, "--set", `plugins=${fixture("bad-manifest")}`], env: {}, cores: 2, cwd: repo }
  const exit = await Effect.runPromise(Effect.either(Effect.scoped(prepareNode(input))))
  if (Either.isRight(exit) || exit.left._tag !== "ConfigError") throw new Error("expected a ConfigError")
  const { code, line } = configErrorExit(exit.left)
  expect(code).toBe(2)
  expect(line).toContain(`plugin ${fixture("bad-manifest")}: intrinsic "kv-bad": malformed manifest`)
  expect(existsSync(dataDir)).toBe(false)
})

test("a plugin importing node:fs is refused before it is imported: exit 2 naming the plugin, the file and the import", async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), "quilbun-plugins-fs-")), "data")
  const input = { argv: ["--data-dir", dataDir, "--set", `plugins=${fixture("imports-fs")}`], env: {}, cores: 2, cwd: repo }
  const exit = await Effect.runPromise(Effect.either(Effect.scoped(prepareNode(input))))
  if (Either.isRight(exit) || exit.left._tag !== "ConfigError") throw new Error("expected a ConfigError")
  const { code, line } = configErrorExit(exit.left)
  expect(code).toBe(2)
  expect(line).toContain(`plugin ${fixture("imports-fs")}: imports-fs.ts:2: import "node:fs" is not allowed`)
  expect(existsSync(dataDir)).toBe(false)
})
