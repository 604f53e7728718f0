// Bundle submission through a whole node (master + one data-worker process) whose worker runs a fake
// shard host (app-shards/fixtures/fake-shard-host-worker.ts): the master routes a hypergraph deploy to
// its instance's shard, allocates the shard to the one worker, hands the bundle over and reports it
// committed; a malformed bundle is a 400; a second shard finds no free worker; the CLI deploys and
// prints its success lines once the bundle is committed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect } from "effect"
import { startNode, type StartedNode } from "quilbun/embed"
import { deployBuilder, deployedDomain } from "../../intrinsics/hypergraph/builders.ts"
import { encodeBundle } from "../../intrinsics/hypergraph/bundle.ts"
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

/** A deploy bundle (as the CLI builds it) and the domain, i.e. the shard, of its new instance. */
const deploy = (keyHex: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const key = Buffer.from(keyHex, "hex")
      const config = { readPublicKey: key, writePublicKey: key, ownerPublicKey: new Uint8Array() }
      const operation = yield* deployBuilder.build({ config, schema: SCHEMA }, nodeBuildEnv)
      const domain = yield* deployedDomain(config, nodeBuildEnv)
      return { bundle: bytesToHex(encodeBundle([operation], BigInt(Date.now()))), domain: bytesToHex(domain) }
    }),
  )

let node: StartedNode

beforeAll(async () => {
  node = await startNode({
    workers: 1,
    workerEntry: join(import.meta.dir, "app-shards/fixtures/fake-shard-host-worker.ts"),
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

describe("bundle submission (fake shard host)", () => {
  let domainA = ""

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
      10_000,
      "the bundle to be committed",
    )
    expect(last).toEqual({ status: "committed", shard: a.domain, frameNumber: 1, reason: null })
    const shards = (await (await node.fetch("/v1/shards")).json()) as ReadonlyArray<Record<string, unknown>>
    expect(shards).toHaveLength(1)
    // The single-node devnet's committee is this node's prover key: one prover.
    expect(shards[0]).toMatchObject({ address: a.domain, core: 1, frameNumber: 1, provers: 1, bundlesCommitted: 1, halted: false })
    expect(shards[0]?.stateRoots).toHaveLength(4)
  }, 30_000)

  test("a malformed bundle is a 400 naming the reason; an unknown id answers unknown", async () => {
    const res = await submit({ bundle: "0000031200000001" })
    expect(res.status).toBe(400)
    const problem = (await res.json()) as { reason: string; detail: string }
    expect(problem.reason).toBe("malformed")
    expect(await statusOf("00".repeat(32))).toEqual({ status: "unknown", shard: null, frameNumber: null, reason: null })
  })

  test("a second shard when the one worker already covers one: 202 rejected, and GET says why", async () => {
    const b = await deploy(KEY_B)
    expect(b.domain).not.toBe(domainA)
    const res = await submit({ bundle: b.bundle })
    expect(res.status).toBe(202)
    const body = (await res.json()) as { id: string; status: string; reason: string }
    expect(body.status).toBe("rejected")
    expect(body.reason).toBe(`no data worker covers shard ${b.domain}`)
    expect(await statusOf(body.id)).toEqual({ status: "rejected", shard: b.domain, frameNumber: null, reason: body.reason })
  })

  /** `bun run cli hypergraph deploy` against the node; async, as the node runs in this process and must keep answering. */
  const cliDeploy = async (key: string, ...flags: Array<string>) => {
    const schema = join(mkdtempSync(join(tmpdir(), "quilbun-bundles-cli-")), "schema.rdf")
    writeFileSync(schema, SCHEMA)
    const cli = join(import.meta.dir, "..", "..", "runtime", "cli", "main.ts")
    const p = Bun.spawn([process.execPath, cli, "hypergraph", "deploy", `read_public_key=${key}`, `write_public_key=${key}`, schema, ...flags], {
      env: { ...process.env, QUILBUN_DATA_DIR: node.dataDir },
      stdout: "pipe",
      stderr: "pipe",
    })
    const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()])
    return { code, out, err }
  }

  test("the CLI deploys to the covered shard and prints its success lines once committed", async () => {
    const r = await cliDeploy(KEY_A)
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(r.out.trim().split("\n")).toEqual(["Hypergraph schema deployed successfully", `  Domain: 0x${domainA}`])
  }, 30_000)

  test("the CLI's deploy to a shard no worker covers fails (exit 1) with the reason, even with --no-wait", async () => {
    const r = await cliDeploy(KEY_B, "--no-wait")
    expect(r.code).toBe(1)
    expect(r.out).toBe("")
    expect(r.err).toContain("rejected: no data worker covers shard")
  }, 30_000)
})
