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
import { type RunningDevnet, spawnDevnet, stopAllAfter } from "./devnet-process.ts"
import { pollUntil } from "./node-process.ts"

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
})
