// A plugin installed as a package (`plugins: ["<npm package name>"]`): it lives in the node's
// node_modules and reaches the contract by its public name `quilbun/contract`. The package here is the
// template plugin as an author would publish it (its contract import rewritten to the public name),
// in a fresh project folder whose node_modules holds it and the packages plugins may use.
import { describe, expect, test } from "bun:test"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Contract from "../../../../intrinsics/contract/index.ts"
import { loadNodeIntrinsics } from "../../../../runtime/node/plugins.ts"

const repo = resolve(import.meta.dir, "../../../..")
const PACKAGE = "quilbun-plugin-notes"

/** A project folder with `node_modules/<PACKAGE>` (entry under src/) and the allowed packages linked in. */
const project = (edit: (src: string) => void = () => {}): string => {
  const dir = mkdtempSync(join(tmpdir(), "quilbun-package-plugin-"))
  const modules = join(dir, "node_modules")
  const pkg = join(modules, PACKAGE)
  const src = join(pkg, "src")
  mkdirSync(src, { recursive: true })
  for (const file of readdirSync(join(repo, "plugins/template")).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
    const text = readFileSync(join(repo, "plugins/template", file), "utf8")
    writeFileSync(join(src, file), text.replaceAll("../../intrinsics/contract/index.ts", "quilbun/contract"))
  }
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: PACKAGE, version: "1.2.3", type: "module", exports: { ".": "./src/index.ts" } }))
  mkdirSync(join(modules, "@effect"), { recursive: true })
  mkdirSync(join(modules, "@noble"), { recursive: true })
  for (const name of ["effect", "@effect/cli", "@noble/hashes"]) symlinkSync(join(repo, "node_modules", name), join(modules, name))
  edit(src)
  return dir
}

const load = (specs: ReadonlyArray<string>, cwd: string) => Effect.runPromise(Effect.either(loadNodeIntrinsics(specs, cwd)))

describe("plugins installed as packages", () => {
  test("loads by package name; the code hash covers the package's root, and a worker given the path agrees", async () => {
    const dir = project()
    const loaded = Either.getOrThrow(await load([PACKAGE], dir))
    expect(loaded.intrinsics.map((i) => i.manifest.name)).toEqual(["hypergraph", "token", "template"])
    const [plugin] = loaded.plugins
    expect(plugin?.path).toBe(join(dir, "node_modules", PACKAGE, "src/index.ts"))
    // A worker is a fresh process given the resolved path, in its own working directory.
    const worker = Bun.spawnSync(
      [
        process.execPath,
        "-e",
        `const { loadNodeIntrinsics } = await import(${JSON.stringify(join(repo, "runtime/node/plugins.ts"))})
         const { Effect } = await import("effect")
         const loaded = await Effect.runPromise(loadNodeIntrinsics([${JSON.stringify(plugin?.path)}], ${JSON.stringify(repo)}))
         console.log(loaded.intrinsics.map((i) => i.manifest.name).join(","), loaded.plugins[0].codeHash)`,
      ],
      { cwd: repo, stderr: "pipe" },
    )
    expect(worker.stderr.toString()).toBe("")
    expect(worker.stdout.toString().trim()).toBe(`hypergraph,token,template ${plugin?.codeHash}`)
    // package.json sits above the entry's folder: a version bump changes the hash.
    const manifest = join(dir, "node_modules", PACKAGE, "package.json")
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("1.2.3", "1.2.4"))
    const bumped = Either.getOrThrow(await load([plugin?.path ?? ""], repo))
    expect(bumped.plugins[0]?.codeHash).not.toBe(plugin?.codeHash ?? "")
  })

  test("`quilbun/contract` is the node's own contract module, not a copy", async () => {
    const dir = project()
    Either.getOrThrow(await load([PACKAGE], dir))
    const publicContract: typeof Contract = await import("quilbun/contract")
    expect(publicContract.OpError).toBe(Contract.OpError)
    expect(publicContract.loadIntrinsics).toBe(Contract.loadIntrinsics)
  })

  test("a package reaching for node:fs is refused before import, naming the package, the file under its root and the import", async () => {
    const dir = project((src) => {
      const entry = join(src, "template.ts")
      writeFileSync(entry, `import { readFileSync } from "node:fs"\nexport const leak = readFileSync\n${readFileSync(entry, "utf8")}`)
    })
    const e = await load([PACKAGE], dir)
    expect(Either.isLeft(e) && e.left.message).toContain(`plugin ${PACKAGE}: src/template.ts:1: import "node:fs" is not allowed`)
  })

  test("a package importing the node's files by path is refused: only the public name reaches the node", async () => {
    const dir = project((src) => {
      const entry = join(src, "index.ts")
      const contract = join(repo, "runtime/node/plugins.ts")
      writeFileSync(entry, `import ${JSON.stringify(contract)}\n${readFileSync(entry, "utf8")}`)
    })
    const e = await load([PACKAGE], dir)
    expect(Either.isLeft(e) && e.left.message).toMatch(/src\/index\.ts:1: import ".*runtime\/node\/plugins\.ts" is not allowed \(outside the plugin's folder/)
  })

  test("an unknown package name is a load error naming it", async () => {
    const e = await load(["quilbun-plugin-none"], project())
    expect(Either.isLeft(e) && e.left.message).toMatch(/^plugin quilbun-plugin-none: cannot resolve/)
  })
})
