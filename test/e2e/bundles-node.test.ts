// The transaction path on a whole single-node devnet (master + two data-worker processes, real app-shard
// consensus, execution and crypto): the master routes a hypergraph deploy to its instance's shard,
// allocates the shard to a free worker, the worker's shard proposes, finalizes and executes it, and every
// route reports it committed, and the shard's certified headers ride in global frames (shardUpdates); the CLI deploys, writes a vertex and reads it back; a malformed bundle is a
// 400; a third instance finds no free worker (one shard per worker) and is rejected with the reason.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bytesToHex } from "@noble/hashes/utils.js"
import { ed448 } from "@noble/curves/ed448.js"
import { Effect } from "effect"
import { startNode, type StartedNode } from "quilbun/embed"
import { deployBuilder, deployedDomain } from "../../intrinsics/hypergraph/builders.ts"
import { encodeMessageBundle } from "../../intrinsics/contract/index.ts"
import { nodeBuildEnv } from "../../runtime/node/intrinsics.ts"
import { waitFor } from "./network/helpers.ts"

const SCHEMA = `@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix qcl: <https://types.quilibrium.com/qcl/> .
@prefix note: <https://example.org/note/> .
note:Note a rdfs:Class .
note:Title a rdfs:Property ; rdfs:domain note:Note ; rdfs:range qcl:String ; qcl:order 0 ; qcl:size 64 .
`
const KEY_A = "11".repeat(57)
const KEY_B = "22".repeat(57)
/** The write key of the instance the CLI deploys and writes to. */
const WRITE_SECRET = "33".repeat(57)
const KEY_C = bytesToHex(ed448.getPublicKey(Buffer.from(WRITE_SECRET, "hex")))

/** A deploy bundle (as the CLI builds it) and the domain, i.e. the shard, of its new instance. */
const deploy = (keyHex: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const key = Buffer.from(keyHex, "hex")
      const config = { readPublicKey: key, writePublicKey: key, ownerPublicKey: new Uint8Array() }
      const operation = yield* deployBuilder.build({ config, schema: SCHEMA }, nodeBuildEnv)
      const domain = yield* deployedDomain(config, nodeBuildEnv)
      return { bundle: bytesToHex(encodeMessageBundle([operation], BigInt(Date.now()))), domain: bytesToHex(domain) }
    }),
  )

let node: StartedNode

beforeAll(async () => {
  node = await startNode({
    workers: 2,
    flags: ["--set", "engine.difficulty=2000"],
  })
}, 60_000)

afterAll(async () => {
  await node?.stop()
})

const submit = (body: unknown) =>
  node.fetch("/v1/bundles", { method: "POST", auth: true, headers: { "content-type": "application/json" }, body: JSON.stringify(body) })

interface Status {
  readonly status: string
  readonly shard: string | null
  readonly frameNumber: number | null
  readonly reason: string | null
}
const statusOf = async (id: string) => (await (await node.fetch(`/v1/bundles/${id}`)).json()) as Status

describe("bundle submission on a single-node devnet (real app shards)", () => {
  let domainA = ""
  let domainC = ""
  let alice = ""

  test("a deploy is 202 pending, its shard is allocated to the worker, then it is committed; /v1/shards lists the shard", async () => {
    const a = await deploy(KEY_A)
    domainA = a.domain
    const res = await submit({ bundle: a.bundle })
    expect(res.status).toBe(202)
    const accepted = (await res.json()) as { id: string; shard: string; status: string }
    expect(accepted.status).toBe("pending")
    expect(accepted.shard).toBe(a.domain)
    expect(accepted.id).toMatch(/^[0-9a-f]{64}$/)
    let last: Status | undefined
    await waitFor(
      async () => {
        last = await statusOf(accepted.id)
        return last.status === "committed"
      },
      45_000,
      "the bundle to be committed",
    )
    expect(last).toMatchObject({ status: "committed", shard: a.domain, reason: null })
    expect(last?.frameNumber).toBeGreaterThanOrEqual(1)
    const shards = (await (await node.fetch("/v1/shards")).json()) as ReadonlyArray<{ stateRoots: ReadonlyArray<string> } & Record<string, unknown>>
    expect(shards).toHaveLength(1)
    // The single-node devnet's committee is this node's prover key: one prover.
    expect(shards[0]).toMatchObject({ address: a.domain, provers: 1, bundlesCommitted: 1, halted: false })
    expect(shards[0]?.stateRoots).toHaveLength(4)
    // The instance's metadata vertex is the app's state: the vertex-adds root is no longer the empty one (D-TRIE-15).
    expect(shards[0]?.stateRoots[0]).not.toBe("00".repeat(64))
    // Per-shard metrics reach the node's /metrics from the worker.
    const metrics = await (await node.fetch("/metrics")).text()
    const lines = metrics.split("\n").filter((l) => l.includes(`shard="${a.domain}"`))
    expect(lines.some((l) => l.startsWith("quilbun_app_shard_head_frame{"))).toBe(true)
    expect(lines.some((l) => l.startsWith("quilbun_app_shard_bundles_total{") && l.includes('outcome="committed"') && l.endsWith(" 1"))).toBe(true)
  }, 60_000)

  test("the shard's certified headers reach the global chain: a committed global frame's shardUpdates names the shard", async () => {
    interface Frame {
      readonly frameNumber: number
      readonly requests: ReadonlyArray<string>
      readonly shardUpdates: ReadonlyArray<{ readonly address: string; readonly frameNumber: number }>
    }
    let found: { global: Frame; update: { address: string; frameNumber: number } } | undefined
    const scanned = new Set<number>()
    await waitFor(
      async () => {
        const head = (await (await node.fetch("/v1/frames/global/head")).json()) as { frameNumber: number }
        for (let n = head.frameNumber; n >= 1 && !scanned.has(n); n--) {
          scanned.add(n)
          const frame = (await (await node.fetch(`/v1/frames/global/${n}`)).json()) as Frame
          const update = frame.shardUpdates.find((u) => u.address === domainA)
          if (update !== undefined) found = { global: frame, update }
        }
        return found !== undefined
      },
      30_000,
      "a global frame carrying a ProverShardUpdate for the shard",
    )
    // One request per update; the shard frame precedes the global frame that carries it (D-GC-17).
    expect(found?.global.requests.length).toBe(found?.global.shardUpdates.length)
    expect(found?.update.frameNumber).toBeGreaterThanOrEqual(1)
    expect(found?.update.frameNumber).toBeLessThan(found?.global.frameNumber ?? 0)
    // The shard never runs more than 2 frames past the global head (D-APP-17); read in this order, the
    // global head can only have grown since the shard's frame was numbered.
    const shards = (await (await node.fetch("/v1/shards")).json()) as ReadonlyArray<{ readonly address: string; readonly frameNumber: number }>
    const head = (await (await node.fetch("/v1/frames/global/head")).json()) as { frameNumber: number }
    const shard = shards.find((x) => x.address === domainA)
    expect(shard).toBeDefined()
    expect(shard?.frameNumber ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(head.frameNumber + 2)
  }, 45_000)

  test("a malformed bundle is a 400 naming the reason; an unknown id answers unknown", async () => {
    const res = await submit({ bundle: "0000031200000001" })
    expect(res.status).toBe(400)
    const problem = (await res.json()) as { reason: string; detail: string }
    expect(problem.reason).toBe("malformed")
    expect(await statusOf("00".repeat(32))).toEqual({ status: "unknown", shard: null, frameNumber: null, reason: null })
  })

  /** `bun run cli …` against the node; async, as the node runs in this process and must keep answering. */
  const cli = async (...args: Array<string>) => {
    const main = join(import.meta.dir, "..", "..", "runtime", "cli", "main.ts")
    const p = Bun.spawn([process.execPath, main, ...args], {
      env: { ...process.env, QUILBUN_DATA_DIR: node.dataDir },
      stdout: "pipe",
      stderr: "pipe",
    })
    const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()])
    return { code, out, err }
  }
  const cliDeploy = (key: string, ...flags: Array<string>) => {
    const schema = join(mkdtempSync(join(tmpdir(), "quilbun-bundles-cli-")), "schema.rdf")
    writeFileSync(schema, SCHEMA)
    return cli("hypergraph", "deploy", `read_public_key=${key}`, `write_public_key=${key}`, schema, ...flags)
  }

  test("the CLI deploys an instance (the second worker covers it), writes a vertex to it and reads it back", async () => {
    const deployed = await cliDeploy(KEY_C)
    expect(deployed.err).toBe("")
    expect(deployed.code).toBe(0)
    const lines = deployed.out.trim().split("\n")
    expect(lines[0]).toBe("Hypergraph schema deployed successfully")
    const domain = (lines[1] ?? "").replace("  Domain: 0x", "")
    expect(domain).toMatch(/^[0-9a-f]{64}$/)
    domainC = domain
    const put = await cli("hypergraph", "put", "vertex", "name=alice", "-d", domain, "--signing-key", WRITE_SECRET)
    expect(`${put.err}${put.out}`).toContain("Vertex submitted successfully")
    expect(put.err).toBe("")
    expect(put.code).toBe(0)
    expect(put.out).toContain("Vertex submitted successfully")
    const full = /Full address: ([0-9a-f]{128})/.exec(put.out)?.[1] ?? ""
    alice = full
    const got = await cli("hypergraph", "get", "vertex", full)
    expect(got.code).toBe(0)
    expect(got.out).toContain(`Address: ${full}`)
    // Entries print as hex (spec §7.3): name = alice.
    expect(got.out).toContain(`[0] ${Buffer.from("name").toString("hex")} = ${Buffer.from("alice").toString("hex")}`)
    const shards = (await (await node.fetch("/v1/shards")).json()) as ReadonlyArray<{ address: string; core: number; stateRoots: ReadonlyArray<string> }>
    expect(shards.map((x) => x.address).sort()).toEqual([domainA, domain].sort())
    // The vertex is under the shard's path: its vertex-adds root moved off the empty one.
    expect(shards.find((x) => x.address === domain)?.stateRoots[0]).not.toBe("00".repeat(64))
    expect(shards.map((x) => x.core).sort()).toEqual([1, 2])
  }, 120_000)

  test("kill -9 of the worker covering a shard: back within seconds, the shard resumes from its store, nothing committed is lost or applied twice", async () => {
    const before = (await (await node.fetch("/v1/shards")).json()) as ReadonlyArray<{
      address: string
      core: number
      bundlesCommitted: number
      frameNumber: number
    }>
    const shard = before.find((x) => x.address === domainC)
    expect(shard).toBeDefined()
    const workers = (await (await node.fetch("/v1/workers")).json()) as ReadonlyArray<{ core: number; pid: number | null; restarts: number }>
    const victim = workers.find((w) => w.core === shard?.core)
    expect(victim?.pid).toBeGreaterThan(0)
    process.kill(victim?.pid ?? 0, "SIGKILL")
    // The master restarts the worker and covers its shard again (CoverShard every 2 s).
    await waitFor(
      async () => {
        const list = (await (await node.fetch("/v1/shards")).json()) as ReadonlyArray<{ address: string }>
        return list.some((x) => x.address === domainC)
      },
      20_000,
      "the shard to be covered again",
    )
    // A new write commits on the resumed shard; the one from before the kill is still there, once.
    const put = await cli("hypergraph", "put", "vertex", "name=bob", "-d", domainC, "--signing-key", WRITE_SECRET)
    expect(put.err).toBe("")
    expect(put.code).toBe(0)
    const full = /Full address: ([0-9a-f]{128})/.exec(put.out)?.[1] ?? ""
    expect((await cli("hypergraph", "get", "vertex", full)).out).toContain(Buffer.from("bob").toString("hex"))
    expect((await cli("hypergraph", "get", "vertex", alice)).out).toContain(Buffer.from("alice").toString("hex"))
    const after = (await (await node.fetch("/v1/shards")).json()) as ReadonlyArray<{ address: string; frameNumber: number }>
    expect(after.find((x) => x.address === domainC)?.frameNumber).toBeGreaterThanOrEqual(shard?.frameNumber ?? 0)
  }, 120_000)

  test("a third shard when both workers cover one: 202 rejected, and GET says why", async () => {
    const b = await deploy(KEY_B)
    expect(b.domain).not.toBe(domainA)
    const res = await submit({ bundle: b.bundle })
    expect(res.status).toBe(202)
    const body = (await res.json()) as { id: string; status: string; reason: string }
    expect(body.status).toBe("rejected")
    expect(body.reason).toBe(`no data worker covers shard ${b.domain}`)
    expect(await statusOf(body.id)).toEqual({ status: "rejected", shard: b.domain, frameNumber: null, reason: body.reason })
  })

  test("the CLI's deploy to a shard no worker covers fails (exit 1) with the reason, even with --no-wait", async () => {
    const r = await cliDeploy(KEY_B, "--no-wait")
    expect(r.code).toBe(1)
    expect(r.out).toBe("")
    expect(r.err).toContain("rejected: no data worker covers shard")
  }, 30_000)
})
