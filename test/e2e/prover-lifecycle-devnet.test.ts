// A node outside the genesis committee joins a shard through `bun run cli prover join` on real processes:
// `bun run devnet --nodes 3` plus a late node bootstrapped to it. Its master asks its data worker for the
// join multiproof (CreateJoinProof), the request reaches the global provers over the GLOBAL_PROVER
// bitmask, a global frame carries it, and every node's registry shows the allocation `joining`; a confirm
// with nothing to confirm is refused with the registry's reason (409, nothing submitted); after the
// devnet's confirm delay `bun run cli prover confirm --wait` makes it `active` in `GET /v1/provers` on every node; then
// it leaves over HTTP, at once: a confirmed shard prover that cannot sign shard frames yet is evicted
// `inactivityLimit` (10) frames after its confirm (prover-registry D-REG-9), and Leaving is not evictable.
// One devnet for every step.
import { afterAll, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DEVNET_LIFECYCLE } from "../../intrinsics/global/params.ts"
import { type Head, type RunningDevnet, spawnDevnet, spawnLateNode, stopAllAfter } from "./devnet-process.ts"
import { getJson, pollUntil, repoRoot } from "./node-process.ts"

interface Allocation {
  readonly filter: string
  readonly status: string
  readonly joinFrameNumber: string
  readonly since: string
}
interface Prover {
  readonly address: string
  readonly status: string
  readonly allocations: ReadonlyArray<Allocation>
}

const NODES = 3
const FLAGS = ["--set", "engine.difficulty=100"]
const SHARD = "5a".repeat(32)

const base = mkdtempSync(join(tmpdir(), "quilbun-it-prover-ops-"))
const devnets: Array<RunningDevnet> = []
const started: Array<{ kill: (signal?: number | NodeJS.Signals) => void }> = []
afterAll(async () => {
  for (const p of started) p.kill("SIGKILL")
  await stopAllAfter(devnets)
  rmSync(base, { recursive: true, force: true })
})

const cli = async (dataDir: string, api: string, ...args: Array<string>) => {
  const p = Bun.spawn([process.execPath, join(repoRoot, "runtime", "cli", "main.ts"), ...args, "--api", api, "--data-dir", dataDir], {
    stdout: "pipe",
    stderr: "pipe",
  })
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()])
  return { code, out, err }
}

const allocationOn = async (api: string, address: string, filter = SHARD): Promise<Allocation | undefined> => {
  const res = await fetch(`${api}/v1/provers/${address}`)
  if (res.status === 404) return undefined
  const p = (await res.json()) as Prover
  return p.allocations.find((a) => a.filter === filter)
}

test("a late node joins a shard with the CLI, is joining on every node, confirms after the delay, becomes active everywhere, and leaves", async () => {
  const devnet = spawnDevnet(NODES, base, FLAGS)
  devnets.push(devnet)
  const lines = await devnet.ready()
  const apis = lines.map((l) => l.api)
  const late = await spawnLateNode({
    baseDir: base,
    nodes: NODES,
    apis,
    workers: 1,
    nodeArgs: FLAGS,
    log: join(base, "late.log"),
  })
  started.push(late.proc)
  const lateDir = join(base, "follower")
  // Caught up: it signs the join at its own committed head, which the registry checks against its records.
  const atStart = (await getJson<Head>(`${apis[0]}/v1/frames/global/head`)).frameNumber
  await pollUntil("the late node to catch up", 60_000, async () => {
    const h = await getJson<Head>(`${late.url()}/v1/frames/global/head`).catch(() => undefined)
    return h !== undefined && h.frameNumber > atStart ? h : undefined
  })
  const lateApi = late.url()
  const token = readFileSync(join(lateDir, "api.token"), "utf8").trim()
  const post = (body: unknown) =>
    fetch(`${lateApi}/v1/provers/lifecycle`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    })

  // Bad input is a typed 400 and changes nothing; without the token a 401.
  const bad = await post({ operation: "pause", filters: ["12"] })
  expect(bad.status).toBe(400)
  expect(((await bad.json()) as { detail: string }).detail).toContain("a shard filter is 32–64")
  expect((await fetch(`${lateApi}/v1/provers/lifecycle`, { method: "POST", body: "{}" })).status).toBe(401)
  // A confirm with nothing to confirm: the registry's reason, 409 (nothing is submitted).
  const early = await post({ operation: "confirm", filters: [SHARD] })
  expect(early.status).toBe(409)
  expect(((await early.json()) as { type: string }).type).toBe("urn:quilbun:problem:lifecycle-refused")

  const joined = await cli(lateDir, lateApi, "prover", "join", SHARD, "--wait", "--timeout", "90")
  expect(joined.err).toBe("")
  expect(joined.code).toBe(0)
  const out = joined.out.trim().split("\n")
  const address = /^Submitted join for prover 0x([0-9a-f]{64}) at frame (\d+) \(request [0-9a-f]{64}\)$/.exec(out[0] ?? "")
  expect(address).not.toBeNull()
  const [, me = "", signedAt = "0"] = address ?? []
  expect(out[1]).toMatch(new RegExp(`^Prover 0x${me}: joining, seniority 0, reward \\d+\\.\\d{12} QUIL$`))
  expect(out[2]).toBe(`Allocation 0x${SHARD}: joining since frame ${signedAt}`)

  // Every node's registry applied the same join.
  const joins = await Promise.all(apis.map((api) => pollUntil(`the join on ${api}`, 30_000, () => allocationOn(api, me))))
  for (const a of joins) {
    expect(a.status).toBe("Joining")
    expect(a.joinFrameNumber).toBe(signedAt)
  }
  const confirmFrom = Number(signedAt) + Number(DEVNET_LIFECYCLE.confirmDelay)
  await pollUntil(`frame ${confirmFrom - 1}`, 60_000, async () => {
    const h = await getJson<Head>(`${lateApi}/v1/frames/global/head`)
    return h.frameNumber >= confirmFrom - 1 ? h : undefined
  })
  const confirmed = await cli(lateDir, lateApi, "prover", "confirm", SHARD, "--wait", "--timeout", "60")
  expect(confirmed.err).toBe("")
  expect(confirmed.code).toBe(0)
  const confirmedLines = confirmed.out.trim().split("\n")
  expect(confirmedLines[1]).toMatch(new RegExp(`^Prover 0x${me}: active, seniority 0, reward \\d+\\.\\d{12} QUIL$`))
  expect(confirmedLines[2]).toMatch(new RegExp(`^Allocation 0x${SHARD}: active since frame \\d+$`))
  expect(confirmedLines).toHaveLength(3)
  await Promise.all(
    apis.map((api) =>
      pollUntil(`active on ${api}`, 30_000, async () => {
        const provers = await getJson<ReadonlyArray<Prover>>(`${api}/v1/provers`)
        const mine = provers.find((x) => x.address === me)
        return mine?.status === "Active" && mine.allocations.length === 1 && mine.allocations[0]?.status === "Active" ? true : undefined
      }),
    ),
  )
  // Leave at once over HTTP: Leaving on every node, since the frame the leave was signed at.
  const left = await post({ operation: "leave", filters: [SHARD] })
  expect(left.status).toBe(202)
  const leftAt = ((await left.json()) as { frameNumber: number }).frameNumber
  await Promise.all(
    apis.map((api) =>
      pollUntil(`the leave on ${api}`, 30_000, async () => {
        const a = await allocationOn(api, me)
        return a?.status === "Leaving" && Number(a.since) === leftAt ? true : undefined
      }),
    ),
  )
}, 240_000)
