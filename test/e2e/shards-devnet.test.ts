// App shards across real node processes: `bun run devnet --nodes 3 --shards 2` with plugins/kv (libp2p on
// loopback, real BLS48-581 and VDF, one genesis committee, two data workers per node). kv's default
// instance is covered by every node from the start; a hypergraph deploy POSTed to one node gives a
// second shard, which that node allocates and announces and every other node covers too. Writes to both
// shards POSTed round-robin to every node are each committed exactly once on every node with the same
// roots; the kv CLI on one node reads what another wrote, and an expiring key is gone everywhere; a
// killed worker comes back and nothing is lost; a node started late covers both shards and syncs them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bytesToHex } from "@noble/hashes/utils.js"
import { ed448 } from "@noble/curves/ed448.js"
import { Effect } from "effect"
import { deployBuilder, deployedDomain, hypergraphBuilders } from "../../intrinsics/hypergraph/builders.ts"
import { encodeMessageBundle } from "../../intrinsics/contract/index.ts"
import { KV_DEFAULT_DOMAIN, kvSet } from "../../plugins/kv/kv.ts"
import { nodeBuildEnv } from "../../runtime/node/intrinsics.ts"
import { type RunningDevnet, spawnDevnet, spawnLateNode, stopAllAfter } from "./devnet-process.ts"
import { getJson, pollUntil, repoRoot } from "./node-process.ts"

const NODES = 3
const KV_SHARD = bytesToHex(KV_DEFAULT_DOMAIN)
const NODE_FLAGS = ["--set", "engine.difficulty=100", "--set", "plugins=./plugins/kv"]
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
  const devnet = spawnDevnet(NODES, base, NODE_FLAGS, ["--shards", "2"])
  devnets.push(devnet)
  const lines = await devnet.ready(120_000)
  apis = lines.map((l) => l.api)
  tokens = lines.map((l) => readFileSync(join(base, `node-${l.index}`, "api.token"), "utf8").trim())
}, 150_000)

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

/** POST /v1/bundles as a client would: a 503 (busy shard, worker restarting) is retried after its Retry-After. */
const submit = async (node: number, bundle: Uint8Array) => {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${apis[node]}/v1/bundles`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${tokens[node]}` },
      body: JSON.stringify({ bundle: bytesToHex(bundle) }),
    })
    const body = (await res.json()) as { id: string; status: string; shard: string; reason?: string }
    if (res.status !== 503 || attempt >= 10) return { code: res.status, body, retries: attempt }
    await Bun.sleep(Math.min(5_000, Number(res.headers.get("retry-after") ?? "1") * 1_000))
  }
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
      (op) => encodeMessageBundle([op], BigInt(Date.now()) + BigInt(seq)),
    ),
  )

const kvPut = (key: string, value: string) =>
  encodeMessageBundle(
    [kvSet.encode({ domain: KV_DEFAULT_DOMAIN, key: new TextEncoder().encode(key), value: new TextEncoder().encode(value), n: 0n })],
    BigInt(Date.now()) + BigInt(++seq),
  )

/** `bun run cli <args>` against node `i` (its data dir names its API and token). */
const cli = async (i: number, args: ReadonlyArray<string>) => {
  const proc = Bun.spawn({
    cmd: [process.execPath, join(repoRoot, "runtime/cli/main.ts"), ...args],
    cwd: repoRoot,
    env: { ...process.env, QUILBUN_DATA_DIR: join(base, `node-${i}`), QUILBUN_PLUGINS: "./plugins/kv" },
    stdout: "pipe",
    stderr: "pipe",
  })
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  return { code: await proc.exited, out: out.trim(), err: err.trim() }
}

const shardView = async (node: number, address: string) => (await shardsOn(node)).find((s) => s.address === address)

/** Every node passes the newest frame any of them reports for the shard, then all roots agree. */
const sameRootsEverywhere = async (address: string, ms: number) => {
  const target = Math.max(...(await Promise.all(apis.map((_, i) => shardView(i, address)))).map((v) => v?.frameNumber ?? 0))
  return pollUntil(`every node past shard frame ${target} with the same roots`, ms, async () => {
    const views = await Promise.all(apis.map((_, i) => shardView(i, address)))
    if (!views.every((v) => (v?.frameNumber ?? 0) >= target)) return undefined
    const roots = views.map((v) => v?.stateRoots.join(","))
    return new Set(roots).size === 1 ? roots[0] : undefined
  })
}

describe(`app shards on a ${NODES}-process devnet with 2 shards`, () => {
  let domain: Uint8Array = new Uint8Array()

  test("every node covers kv's default instance from the start", async () => {
    const views = await pollUntil("kv's instance on every node", 60_000, async () => {
      const vs = await Promise.all(apis.map((_, i) => shardView(i, KV_SHARD)))
      return vs.every((v) => v !== undefined) ? vs : undefined
    })
    for (const v of views) expect(v?.provers).toBe(NODES)
  }, 90_000)

  test("a deploy sent to one node is covered by every node and committed on all of them with the same roots", async () => {
    const operation = await Effect.runPromise(deployBuilder.build({ config, schema: SCHEMA }, nodeBuildEnv))
    domain = await Effect.runPromise(deployedDomain(config, nodeBuildEnv))
    const accepted = await submit(0, encodeMessageBundle([operation], BigInt(Date.now())))
    expect(accepted.code).toBe(202)
    expect(accepted.body).toMatchObject({ status: "pending", shard: bytesToHex(domain) })
    const statuses = await committedEverywhere(accepted.body.id, 120_000)
    expect(new Set(statuses.map((s) => s.frameNumber)).size).toBe(1)
    // Every node covers the shard with the whole committee as its ring.
    const views = await Promise.all(apis.map((_, i) => shardsOn(i)))
    for (const v of views) expect(v.find((s) => s.address === bytesToHex(domain))?.provers).toBe(NODES)
  }, 180_000)

  // Early in the file, so the history it syncs is a minute long, not the whole run.
  test("a node started late (not in the committee) covers the shard, syncs its history through the relay, and its roots match", async () => {
    const late = await spawnLateNode({ baseDir: base, nodes: NODES, apis, workers: 2, nodeArgs: NODE_FLAGS, log: join(base, "follower.log") })
    const follower = late.proc
    started.push(follower)
    const mine = await pollUntil("the late node to cover both shards and reach the others' roots", 240_000, async () => {
      const views = await getJson<ReadonlyArray<Shard>>(`${late.url()}/v1/shards`).catch(() => [] as ReadonlyArray<Shard>)
      const caughtUp = await Promise.all(
        [bytesToHex(domain), KV_SHARD].map(async (address) => {
          const view = views.find((s) => s.address === address)
          const other = await shardView(0, address)
          return view !== undefined && other !== undefined && view.stateRoots.join() === other.stateRoots.join() ? view : undefined
        }),
      )
      return caughtUp.every((v) => v !== undefined) ? caughtUp[0] : undefined
    }).catch((e: unknown) => {
      const log = readFileSync(join(base, "follower.log"), "utf8").split("\n").slice(-40).join("\n")
      throw new Error(`${String(e)}\nthe late node's log ends:\n${log}`)
    })
    expect(mine.frameNumber).toBeGreaterThan(0)
    follower.kill("SIGTERM")
    expect(await follower.exited).toBe(0)
  }, 300_000)

  test("writes to both shards sent round-robin to every node are each committed once, on every node, with the same roots", async () => {
    const ids: Array<string> = []
    for (let i = 0; i < 16; i++) {
      const bundle = i % 2 === 0 ? await putVertex(domain) : kvPut(`k${i}`, `v${i}`)
      const r = await submit(i % NODES, bundle)
      expect(r.code).toBe(202)
      ids.push(r.body.id)
    }
    for (const id of ids) {
      const statuses = await committedEverywhere(id, 180_000)
      // One frame per bundle, the same on every node: it was applied once.
      expect(new Set(statuses.map((s) => s.frameNumber)).size).toBe(1)
    }
    const roots = await sameRootsEverywhere(bytesToHex(domain), 60_000)
    expect(roots).not.toBe(Array(4).fill("00".repeat(64)).join(","))
    await sameRootsEverywhere(KV_SHARD, 60_000)
  }, 400_000)

  test("the kv CLI reads on one node what another wrote; an expiring key is gone on every node", async () => {
    const set = await cli(0, ["kv", "set", "greeting", "hello"])
    expect(set).toMatchObject({ code: 0, out: "OK" })
    const other = await cli(NODES - 1, ["kv", "get", "greeting"])
    expect(other, other.err).toMatchObject({ code: 0, out: "hello" })
    expect((await cli(1, ["kv", "set", "t", "v", "--ex", "5"])).out).toBe("OK")
    // Polled over kv's query route (what the CLI's get calls): a CLI process per node per poll costs seconds.
    const kvGet = (api: string, key: string) =>
      getJson<{ readonly value: string | null }>(`${api}/v1/intrinsics/kv/get?domain=${bytesToHex(KV_DEFAULT_DOMAIN)}&key=${key}`)
    await pollUntil("the expiring key gone on every node", 120_000, async () => {
      const answers = await Promise.all(apis.map((api) => kvGet(api, "t")))
      return answers.every((a) => a.value === null) ? true : undefined
    })
    expect(await cli(2, ["kv", "get", "t"])).toMatchObject({ code: 0, out: "(nil)" })
    const read = await cli(NODES - 1, ["kv", "get", "greeting"])
    expect(read, read.err).toMatchObject({ code: 0, out: "hello" })
  }, 240_000)

  test("kill -9 of a worker covering the shard mid-stream: back within seconds, nothing committed is lost or applied twice", async () => {
    const before = (await getJson<ReadonlyArray<Worker>>(`${apis[1]}/v1/workers`))[0]
    expect(before?.pid).toBeNumber()
    const ids: Array<string> = []
    for (let i = 0; i < 6; i++) {
      if (i === 3) process.kill(before?.pid ?? 0, "SIGKILL")
      const r = await submit(i % NODES, i % 2 === 0 ? kvPut(`killed-${i}`, "x") : await putVertex(domain))
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
    // The restarted worker's shard caught up: the same roots as everywhere else, for both shards.
    await sameRootsEverywhere(KV_SHARD, 120_000)
    await sameRootsEverywhere(bytesToHex(domain), 120_000)
  }, 360_000)
})
