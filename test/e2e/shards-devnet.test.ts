// App shards across real node processes: `bun run devnet` (libp2p on loopback, real BLS48-581 and VDF,
// one genesis committee), one data worker per node. A hypergraph deploy POSTed to one node gives a new
// shard: that node allocates it and announces it, every other node covers it too, the shard's ring (the
// whole committee) commits the deploy, and every node reports it committed with the same state roots.
// Writes POSTed round-robin to every node are each committed exactly once, wherever they entered.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bytesToHex } from "@noble/hashes/utils.js"
import { ed448 } from "@noble/curves/ed448.js"
import { Effect } from "effect"
import { deployBuilder, deployedDomain, hypergraphBuilders } from "../../intrinsics/hypergraph/builders.ts"
import { encodeBundle } from "../../intrinsics/hypergraph/bundle.ts"
import { nodeBuildEnv } from "../../runtime/node/intrinsics.ts"
import { prepareDevnetMembers } from "../../runtime/cli/devnet/genesis.ts"
import { freePorts } from "../../runtime/cli/devnet/launcher.ts"
import { type RunningDevnet, spawnDevnet, stopAllAfter } from "./devnet-process.ts"
import { getJson, mainEntry, pollUntil, repoRoot } from "./node-process.ts"

const NODES = 3
const SCHEMA = `@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix qcl: <https://types.quilibrium.com/qcl/> .
@prefix note: <https://example.org/note/> .
note:Note a rdfs:Class .
note:Title a rdfs:Property ; rdfs:domain note:Note ; rdfs:range qcl:String ; qcl:order 0 ; qcl:size 64 .
`
const WRITE_SECRET = Buffer.from("44".repeat(57), "hex")
const WRITE_KEY = ed448.getPublicKey(WRITE_SECRET)

const base = mkdtempSync(join(tmpdir(), "quilbun-it-shards-"))
const devnets: Array<RunningDevnet> = []
const started: Array<{ kill: (signal?: number | NodeJS.Signals) => void }> = []
let apis: ReadonlyArray<string> = []
let tokens: ReadonlyArray<string> = []

beforeAll(async () => {
  const devnet = spawnDevnet(NODES, base, ["--set", "engine.difficulty=100"])
  devnets.push(devnet)
  const lines = await devnet.ready(90_000)
  apis = lines.map((l) => l.api)
  tokens = lines.map((l) => readFileSync(join(base, `node-${l.index}`, "api.token"), "utf8").trim())
}, 120_000)

afterAll(async () => {
  for (const p of started) p.kill("SIGKILL")
  await stopAllAfter(devnets)
  rmSync(base, { recursive: true, force: true })
})

interface Status {
  readonly status: string
  readonly shard: string | null
  readonly frameNumber: number | null
  readonly reason: string | null
}
interface Shard {
  readonly address: string
  readonly frameNumber: number
  readonly stateRoots: ReadonlyArray<string>
  readonly provers: number
}

const submit = async (node: number, bundle: Uint8Array) => {
  const res = await fetch(`${apis[node]}/v1/bundles`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${tokens[node]}` },
    body: JSON.stringify({ bundle: bytesToHex(bundle) }),
  })
  return { code: res.status, body: (await res.json()) as { id: string; status: string; shard: string; reason?: string } }
}
const statusOn = async (node: number, id: string) => (await (await fetch(`${apis[node]}/v1/bundles/${id}`)).json()) as Status
const shardsOn = async (node: number) => (await (await fetch(`${apis[node]}/v1/shards`)).json()) as ReadonlyArray<Shard>
interface Worker {
  readonly core: number
  readonly pid: number | null
  readonly state: string
}

const committedEverywhere = (id: string, ms: number) =>
  pollUntil(`bundle ${id} committed on every node`, ms, async () => {
    const all = await Promise.all(apis.map((_, i) => statusOn(i, id)))
    if (all.some((s) => s.status === "rejected")) throw new Error(`rejected: ${JSON.stringify(all)}`)
    return all.every((s) => s.status === "committed") ? all : undefined
  })

const config = { readPublicKey: WRITE_KEY, writePublicKey: WRITE_KEY, ownerPublicKey: new Uint8Array() }
let seq = 0
const putVertex = (domain: Uint8Array) =>
  Effect.runPromise(
    Effect.map(
      hypergraphBuilders.putVertex.build(
        {
          domain,
          entries: [{ key: Uint8Array.of(0), value: new TextEncoder().encode(`note ${++seq}`) }],
          dataAddress: new Uint8Array(32).fill(seq),
          signingKey: WRITE_SECRET,
        },
        nodeBuildEnv,
      ),
      (op) => encodeBundle([op], BigInt(Date.now()) + BigInt(seq)),
    ),
  )

describe(`app shards on a ${NODES}-process devnet`, () => {
  let domain: Uint8Array = new Uint8Array()

  test("a deploy sent to one node is covered by every node and committed on all of them with the same roots", async () => {
    const operation = await Effect.runPromise(deployBuilder.build({ config, schema: SCHEMA }, nodeBuildEnv))
    domain = await Effect.runPromise(deployedDomain(config, nodeBuildEnv))
    const accepted = await submit(0, encodeBundle([operation], BigInt(Date.now())))
    expect(accepted.code).toBe(202)
    expect(accepted.body).toMatchObject({ status: "pending", shard: bytesToHex(domain) })
    const statuses = await committedEverywhere(accepted.body.id, 120_000)
    expect(new Set(statuses.map((s) => s.frameNumber)).size).toBe(1)
    // Every node covers the shard with the whole committee as its ring.
    const views = await Promise.all(apis.map((_, i) => shardsOn(i)))
    for (const v of views) expect(v.find((s) => s.address === bytesToHex(domain))?.provers).toBe(NODES)
  }, 180_000)

  test("writes sent round-robin to every node are each committed once, on every node", async () => {
    const ids: Array<string> = []
    for (let i = 0; i < 6; i++) {
      const r = await submit(i % NODES, await putVertex(domain))
      expect(r.code).toBe(202)
      ids.push(r.body.id)
    }
    for (const id of ids) await committedEverywhere(id, 120_000)
    // Same roots at the same frame: compare the shard views once every node has passed one frame number.
    const target = Math.max(
      ...(await Promise.all(apis.map((_, i) => shardsOn(i)))).map((v) => v.find((s) => s.address === bytesToHex(domain))?.frameNumber ?? 0),
    )
    const views = await pollUntil("every node at or past the same shard frame", 60_000, async () => {
      const views = await Promise.all(apis.map((_, i) => shardsOn(i)))
      return views.every((v) => (v.find((s) => s.address === bytesToHex(domain))?.frameNumber ?? 0) >= target) ? views : undefined
    })
    // No write came after the last one committed everywhere, so every node holds the same roots.
    const roots = views.map((v) => v.find((s) => s.address === bytesToHex(domain))?.stateRoots.join(","))
    expect(new Set(roots).size).toBe(1)
    expect(roots[0]).not.toBe(Array(4).fill("00".repeat(64)).join(","))
  }, 300_000)

  test("kill -9 of a worker covering the shard mid-stream: back within seconds, nothing committed is lost or applied twice", async () => {
    const before = (await getJson<ReadonlyArray<Worker>>(`${apis[1]}/v1/workers`))[0]
    expect(before?.pid).toBeNumber()
    const ids: Array<string> = []
    for (let i = 0; i < 6; i++) {
      if (i === 3) process.kill(before?.pid ?? 0, "SIGKILL")
      const r = await submit(i % NODES, await putVertex(domain))
      // The node whose worker is down may answer 503 (Retry-After) for a moment; the others take it.
      if (r.code === 202) ids.push(r.body.id)
      else expect(r.code).toBe(503)
    }
    const back = await pollUntil("the killed worker to run again", 15_000, async () => {
      const w = (await getJson<ReadonlyArray<Worker>>(`${apis[1]}/v1/workers`))[0]
      return w !== undefined && w.state === "running" && w.pid !== before?.pid ? w : undefined
    })
    expect(back.pid).not.toBe(before?.pid)
    for (const id of ids) await committedEverywhere(id, 180_000)
    // Exactly once: every committed bundle is recorded once per node, and the roots agree everywhere.
    const views = await pollUntil("the restarted worker's shard to catch up", 120_000, async () => {
      const views = await Promise.all(apis.map((_, i) => shardsOn(i)))
      const roots = views.map((v) => v.find((s) => s.address === bytesToHex(domain))?.stateRoots.join(","))
      return roots.every((r) => r !== undefined && r === roots[0]) ? views : undefined
    })
    expect(views.length).toBe(NODES)
  }, 360_000)

  test("a node started late (not in the committee) covers the shard, syncs its history through the relay, and its roots match", async () => {
    const members = await Effect.runPromise(prepareDevnetMembers(base, NODES))
    const [apiPort, p2pPort] = freePorts(2)
    // Every member lists the others with their listen addresses: together, all of them.
    const peers = await Promise.all(apis.map((api) => getJson<ReadonlyArray<{ addresses: ReadonlyArray<string> }>>(`${api}/v1/peers`)))
    const listen = new Set(peers.flat().flatMap((p) => p.addresses))
    const follower = Bun.spawn({
      cmd: [
        process.execPath,
        mainEntry,
        "--data-dir",
        join(base, "follower"),
        "--api-listen",
        `127.0.0.1:${apiPort}`,
        "--workers",
        "1",
        "--set",
        `p2p.listen=/ip4/127.0.0.1/tcp/${p2pPort}`,
        "--set",
        `p2p.bootstrap=${[...listen].join(",")}`,
        "--set",
        "engine.difficulty=100",
      ],
      cwd: repoRoot,
      env: { ...process.env, QUILBUN_ENGINE_GENESIS_PROVERS: members.map((m) => m.proverPublicKey).join(",") },
      stdin: "ignore",
      stdout: "ignore",
      stderr: Bun.file(join(base, "follower.log")),
    })
    started.push(follower)
    const api = `http://127.0.0.1:${apiPort}`
    const theirs = async () => (await shardsOn(0)).find((s) => s.address === bytesToHex(domain))
    const mine = await pollUntil("the late node to cover the shard and reach the others' roots", 180_000, async () => {
      if (follower.exitCode !== null) throw new Error(`late node exited ${follower.exitCode}`)
      const views = await getJson<ReadonlyArray<Shard>>(`${api}/v1/shards`).catch(() => [] as ReadonlyArray<Shard>)
      const view = views.find((s) => s.address === bytesToHex(domain))
      const other = await theirs()
      return view !== undefined && other !== undefined && view.stateRoots.join() === other.stateRoots.join() ? view : undefined
    }).catch((e: unknown) => {
      const log = readFileSync(join(base, "follower.log"), "utf8").split("\n").slice(-40).join("\n")
      throw new Error(`${String(e)}\nthe late node's log ends:\n${log}`)
    })
    expect(mine.frameNumber).toBeGreaterThan(0)
    follower.kill("SIGTERM")
    expect(await follower.exited).toBe(0)
  }, 240_000)
})
