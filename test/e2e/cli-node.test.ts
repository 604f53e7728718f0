// `bun run cli node info|workers|actors|status` against an embedded node's admin API.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { join } from "node:path"
import { startNode, type StartedNode } from "quilbun/embed"
import { repoRoot } from "./node-process.ts"

const cli = join(repoRoot, "runtime/cli/main.ts")
const run = async (...args: Array<string>) => {
  const p = Bun.spawn([process.execPath, cli, "node", ...args], { stdout: "pipe", stderr: "pipe", cwd: repoRoot })
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()])
  return { code, out, err }
}

let node: StartedNode
beforeAll(async () => {
  node = await startNode({ workers: 1 })
}, 20_000)
afterAll(async () => {
  await node.stop()
})

describe("cli node", () => {
  test("workers --json via the data dir's admin-api.url; human table", async () => {
    const json = await run("workers", "--json", "--data-dir", node.dataDir)
    expect(json.code).toBe(0)
    const rows = JSON.parse(json.out) as Array<{ core: number; state: string }>
    expect(rows).toMatchObject([{ core: 1, state: "running" }])
    const table = await run("workers", "--api", node.url)
    expect(table.code).toBe(0)
    expect(table.out.split("\n")[0]).toMatch(/^CORE\s+PID\s+STATE\s+RESTARTS\s+UPTIME/)
    expect(table.out).toMatch(/\n1\s+\d+\s+running\s+0\s+/)
  }, 15_000)

  test("info and actors (human)", async () => {
    const info = await run("info", "--api", node.url)
    expect(info.code).toBe(0)
    expect(info.out).toContain(`node id:  ${node.nodeId}`)
    const actors = await run("actors", "--api", node.url)
    expect(actors.code).toBe(0)
    expect(actors.out.split("\n")[0]).toStartWith("root (supervisor, running")
    expect(actors.out).toContain("worker-manager (actor")
    expect(actors.out).toContain("probe (actor")
    expect(actors.out).toContain("worker-1 (process, running, pid=")
  }, 15_000)

  test("status prints the node's status line (the one it logs every 30 s)", async () => {
    const status = await run("status", "--api", node.url)
    expect(status.err).toBe("")
    expect(status.code).toBe(0)
    expect(status.out.trim()).toMatch(/^status head=\d+ rank=\d+ peers=0 workers=[01]\/1 frame_interval_ms=\d+ rss_mib=[1-9]\d* shards=0 mempool=0$/)
    const json = JSON.parse((await run("status", "--json", "--api", node.url)).out) as { line: string }
    expect(json.line).toStartWith("status head=")
  }, 15_000)

  test("bad arguments exit 2; unreachable node exits 1", async () => {
    expect((await run("bogus")).code).toBe(2)
    expect((await run("workers", "--api", "not-a-url")).code).toBe(2)
    const down = await run("workers", "--api", "http://127.0.0.1:1")
    expect(down.code).toBe(1)
    expect(down.err).toContain("cannot reach")
  }, 15_000)
})

describe("a node bound to 0.0.0.0 (not loopback)", () => {
  test("warns at start; every route but /health wants the token; the CLI sends it from the data dir", async () => {
    const lines: Array<string> = []
    const open = await startNode({ workers: 1, flags: ["--api-listen", "0.0.0.0:0"], logWrite: (line) => void lines.push(line) })
    try {
      const warning = lines.find((l) => l.includes('"level":"warn') && l.includes("not loopback"))
      expect(warning).toContain("every route but /health now needs")
      const local = `http://127.0.0.1:${open.port}`
      expect((await fetch(`${local}/health`)).status).toBe(200)
      for (const path of ["/v1/node", "/v1/actors", "/metrics"]) expect((await fetch(`${local}${path}`)).status).toBe(401)
      const info = await run("info", "--data-dir", open.dataDir)
      expect(info.err).toBe("")
      expect(info.code).toBe(0)
      expect(info.out).toContain(`node id:  ${open.nodeId}`)
    } finally {
      await open.stop()
    }
  }, 30_000)
})
