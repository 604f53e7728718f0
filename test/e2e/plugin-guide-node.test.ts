// plugins/README.md's tutorial on a real single-node devnet: the guide's files in a folder laid out like
// the repository, the node started with the flags of the guide's `bun run node` line, then every CLI
// and HTTP block of the guide run against it, each output compared with the one the guide shows.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { rmSync } from "node:fs"
import { join } from "node:path"
import { startNode, type StartedNode } from "quilbun/embed"
import { GUIDE_PLUGIN, guideRoot, readGuide, REPO, writeGuideFiles } from "../unit/plugins/guide-blocks.ts"

const guide = readGuide()
const root = guideRoot()
const pluginDir = writeGuideFiles(root, guide.files)
/** The guide's paths are relative to the repository; here the plugin lives in the temporary root. */
const located = (s: string) => s.replaceAll(`./plugins/${GUIDE_PLUGIN}`, pluginDir)
let node: StartedNode

beforeAll(async () => {
  const start = guide.commands.find((c) => c.kind === "node")
  if (start === undefined || !start.command.startsWith("bun run node ")) throw new Error("the guide has no `bun run node` line")
  const flags = located(start.command.slice("bun run node ".length)).split(" ")
  node = await startNode({ workers: 1, flags: ["--set", "engine.difficulty=2000", ...flags] })
}, 60_000)

afterAll(async () => {
  await node?.stop()
  rmSync(root, { recursive: true, force: true })
})

/** `VAR=value … bun run cli <args>` as the guide writes it, against this node. */
const cli = async (command: string) => {
  const words = command.split(" ")
  const env: Record<string, string> = {}
  while (words[0]?.includes("=")) {
    const [k = "", v = ""] = (words.shift() ?? "").split("=")
    env[k] = located(v)
  }
  if (words.slice(0, 3).join(" ") !== "bun run cli") throw new Error(`not a CLI call: ${command}`)
  const p = Bun.spawn([process.execPath, join(REPO, "runtime", "cli", "main.ts"), ...words.slice(3)], {
    cwd: REPO,
    env: { ...process.env, ...env, QUILBUN_DATA_DIR: node.dataDir },
    stdout: "pipe",
    stderr: "pipe",
  })
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()])
  return { code, out: out.trim(), err }
}

describe("the plugin guide on a node", () => {
  test("its CLI blocks print what the guide shows", async () => {
    for (const c of guide.commands.filter((c) => c.kind === "cli")) {
      const r = await cli(c.command)
      if (r.code !== 0) throw new Error(`${c.command}: exit ${r.code}\n${r.err}`)
      expect(r.out).toBe(c.output.join("\n"))
    }
    // The guide's claim that /metrics counts the plugin's operations (a worker's metric, merged by the master).
    const metrics = await (await node.fetch("/metrics")).text()
    expect(metrics).toMatch(/quilbun_intrinsic_operations_applied_total\{[^}]*intrinsic="tally"[^}]*\} [1-9]/)
  }, 120_000)

  test("its HTTP block answers what the guide shows", async () => {
    for (const c of guide.commands.filter((c) => c.kind === "http")) {
      const url = /'(http:\/\/[^']+)'/.exec(c.command)?.[1]
      if (url === undefined) throw new Error(`no URL in ${c.command}`)
      const u = new URL(url)
      const res = await node.fetch(`${u.pathname}${u.search}`)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe(c.output.join("\n"))
    }
  })
})
