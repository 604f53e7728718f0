// plugins/README.md's tutorial, without a node: its `plugin new` runs and prints what the guide says,
// its four files replace the template's, `bun test plugins/tally` passes, the files type-check under
// the repository's compiler options, and the node's loader (source check included) loads the plugin.
// The node, CLI and HTTP steps run in test/e2e/plugin-guide-node.test.ts; every command of the guide
// is claimed by one of the two (a new kind of block fails here until a test runs it).
import { afterAll, describe, expect, test } from "bun:test"
import { readdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { loadNodeIntrinsics } from "../../../runtime/node/plugins.ts"
import { GUIDE_PLUGIN, guideRoot, readGuide, REPO, writeGuideFiles } from "./guide-blocks.ts"

const guide = readGuide()
const root = guideRoot()
afterAll(() => rmSync(root, { recursive: true, force: true }))

const spawn = (argv: ReadonlyArray<string>, cwd: string) => {
  const r = Bun.spawnSync([...argv], { cwd, env: { ...process.env, NO_COLOR: "1" } })
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() }
}

describe("the plugin guide", () => {
  test("has the four files and the commands the tests run", () => {
    expect(guide.files.map((f) => f.name)).toEqual(["tally.ts", "index.ts", "cli.ts", "tally.test.ts"])
    const known = new Set([`bun run plugin new ${GUIDE_PLUGIN}`, `bun test plugins/${GUIDE_PLUGIN}`])
    for (const c of guide.commands.filter((c) => c.kind === "guide")) expect(known.has(c.command)).toBe(true)
    expect(guide.commands.map((c) => c.kind)).toEqual(["guide", "guide", "node", "cli", "cli", "cli", "http"])
  })

  test("plugin new, the files, bun test, the type check and the node's loader", async () => {
    for (const c of guide.commands.filter((c) => c.kind === "guide")) {
      if (c.command.startsWith("bun run plugin new")) {
        const r = spawn([process.execPath, join(REPO, "runtime/cli/plugin-new.ts"), ...c.command.split(" ").slice(3), "--dir", join(root, "plugins")], REPO)
        expect(r.err).toBe("")
        expect(r.out.replaceAll(`${root}/`, "").trim().split("\n")).toEqual([...c.output])
        // The template's copy, before the guide replaces its sources.
        expect(readdirSync(join(root, "plugins", GUIDE_PLUGIN)).sort()).toEqual(["README.md", "cli.ts", "index.ts", "tally.test.ts", "tally.ts"])
        writeGuideFiles(root, guide.files)
      } else {
        const r = spawn([process.execPath, ...c.command.split(" ").slice(1)], root)
        if (r.code !== 0) throw new Error(`${c.command} failed:\n${r.err}`)
        expect(r.err).toContain(" 0 fail")
      }
    }
    writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ extends: join(REPO, "tsconfig.json"), include: [`plugins/${GUIDE_PLUGIN}/**/*.ts`] }))
    const tsc = spawn([process.execPath, join(REPO, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", join(root, "tsconfig.json")], root)
    expect(`${tsc.out}${tsc.err}`).toBe("")
    expect(tsc.code).toBe(0)
    const loaded = await Effect.runPromise(Effect.either(loadNodeIntrinsics([`./plugins/${GUIDE_PLUGIN}`], root)))
    if (Either.isLeft(loaded)) throw new Error(loaded.left.message)
    expect(loaded.right.plugins.map((p) => p.intrinsic.manifest.name)).toEqual([GUIDE_PLUGIN])
  }, 60_000)
})
