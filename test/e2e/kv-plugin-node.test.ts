// The kv plugin on a real single-node devnet, loaded from config (`--set plugins=./plugins/kv`): the
// master and the worker import it, the CLI mounts its group from the same list (QUILBUN_PLUGINS), a
// SET commits through the default instance's shard with no deploy, expiry counts frames, and
// GET /v1/intrinsics shows the plugin with its code hash.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { join, resolve } from "node:path"
import { bytesToHex } from "@noble/hashes/utils.js"
import { startNode, type StartedNode } from "quilbun/embed"
import { KV_DEFAULT_DOMAIN } from "../../plugins/kv/kv.ts"
import { waitFor } from "./network/helpers.ts"

const repo = resolve(import.meta.dir, "..", "..")
const domain = bytesToHex(KV_DEFAULT_DOMAIN)
let node: StartedNode

beforeAll(async () => {
  node = await startNode({ workers: 1, flags: ["--set", "engine.difficulty=2000", "--set", "plugins=./plugins/kv"] })
}, 60_000)

afterAll(async () => {
  await node?.stop()
})

/** `bun run cli …` from the repository, reading the same plugin list as the node. */
const cli = async (...args: Array<string>) => {
  const p = Bun.spawn([process.execPath, join(repo, "runtime", "cli", "main.ts"), ...args], {
    cwd: repo,
    env: { ...process.env, QUILBUN_DATA_DIR: node.dataDir, QUILBUN_PLUGINS: "./plugins/kv" },
    stdout: "pipe",
    stderr: "pipe",
  })
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()])
  return { code, out: out.trim(), err }
}

const shardFrame = async (): Promise<number> => {
  const shards = (await (await node.fetch("/v1/shards")).json()) as ReadonlyArray<{ address: string; frameNumber: number }>
  return shards.find((s) => s.address === domain)?.frameNumber ?? -1
}

describe("kv plugin on a single-node devnet", () => {
  test("kv set → OK, kv get → the value, with no deploy step", async () => {
    expect(await cli("kv", "set", "greeting", "hello")).toMatchObject({ code: 0, out: "OK" })
    expect(await cli("kv", "get", "greeting")).toMatchObject({ code: 0, out: "hello" })
    expect(await cli("kv", "get", "missing")).toMatchObject({ code: 0, out: "(nil)" })
  }, 90_000)

  test("incrby, scan, del", async () => {
    expect(await cli("kv", "incrby", "counter", "5")).toMatchObject({ code: 0, out: "(integer) 5" })
    expect(await cli("kv", "scan", "gr")).toMatchObject({ code: 0, out: "greeting" })
    expect(await cli("kv", "del", "greeting")).toMatchObject({ code: 0, out: "(integer) 1" })
    expect(await cli("kv", "get", "greeting")).toMatchObject({ code: 0, out: "(nil)" })
  }, 90_000)

  test("kv set t v --ex 3 reads (nil) once 3 more frames are executed", async () => {
    expect(await cli("kv", "set", "t", "v", "--ex", "3")).toMatchObject({ code: 0, out: "OK" })
    // The commit frame is at most the shard's frame now; one frame of margin for execution to catch up.
    const committedBy = await shardFrame()
    await waitFor(async () => (await shardFrame()) >= committedBy + 4, 60_000, "3 more frames")
    expect(await cli("kv", "get", "t")).toMatchObject({ code: 0, out: "(nil)" })
  }, 90_000)

  test("GET /v1/intrinsics lists kv with its version and code hash", async () => {
    const workers = (await (await node.fetch("/v1/intrinsics")).json()) as ReadonlyArray<{
      intrinsics: ReadonlyArray<{ name: string; version: string; plugin?: string; codeHash?: string }>
    }>
    const kv = workers.flatMap((w) => w.intrinsics).find((i) => i.name === "kv")
    expect(kv).toMatchObject({ name: "kv", version: "0.1.0", plugin: "./plugins/kv" })
    expect(kv?.codeHash).toMatch(/^[0-9a-f]{64}$/)
  })
})
