// GET /v1/provers and /v1/provers/{address} (the admin app over a backend built from registry summaries,
// as the node builds it) and `bun run cli prover status|rewards` reading them over HTTP.
import { afterAll, describe, expect, test } from "bun:test"
import { Effect, Either, Runtime } from "effect"
import { formatQuil } from "../../../../../actors/consensus/core/reward/quil-amount.ts"
import type { ProverSummary } from "../../../../../actors/prover-registry/index.ts"
import { makeAdminApp } from "../../../../../runtime/api/app.ts"
import type { AdminBackendService } from "../../../../../runtime/api/backend.ts"
import { queryProvers } from "../../../../../runtime/cli/commands/prover/query.ts"
import { proverView } from "../../../../../runtime/node/prover-view.ts"

const A = new Uint8Array(32).fill(0xaa)
const B = new Uint8Array(32).fill(0xbb)
const SHARD = new Uint8Array(32).fill(0x5a)
const summary = (address: Uint8Array, reward: bigint, seniority: bigint, rings: ReadonlyArray<number | null>): ProverSummary => ({
  record: {
    address,
    publicKey: new Uint8Array(585),
    status: "Active",
    seniority,
    kickFrameNumber: 0n,
    allocations: [
      { filter: new Uint8Array(), status: "Active", joinFrameNumber: 0n, lastActiveFrameNumber: 41n },
      { filter: SHARD, status: "Joining", joinFrameNumber: 7n, lastActiveFrameNumber: 0n },
    ],
  },
  reward,
  rings,
})
const summaries = [summary(A, 13_107_200_000_000n, 5n, [0, null]), summary(B, 1n, 0n, [1, null])]

const base: AdminBackendService = {
  nodeInfo: Effect.succeed({ version: "0.1.0", nodeId: "n", uptimeMs: 1, roles: [], pid: 1, config: {} }),
  ready: Effect.succeed({ ready: true, reasons: [] }),
  actors: Effect.succeed({ name: "root", children: [] }),
  workers: Effect.succeed([]),
  restartWorker: () => Effect.void,
  setLogLevel: () => Effect.void,
  metrics: Effect.succeed(""),
  globalHead: Effect.die("unused"),
  globalFrame: () => Effect.die("unused"),
}
const withRegistry: AdminBackendService = {
  ...base,
  provers: Effect.succeed(summaries.map(proverView)),
  prover: (address) => Effect.succeed(summaries.map(proverView).find((p) => p.address === Buffer.from(address).toString("hex"))),
}
const options = { token: "t", maxBodyBytes: 4096, version: "0.1.0" }
const app = makeAdminApp(withRegistry, Runtime.defaultRuntime, options)
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => app.fetch(req) })
afterAll(() => void server.stop(true))
const url = `http://127.0.0.1:${server.port}`

const output: Array<string> = []
const realWrite = process.stdout.write.bind(process.stdout)
const cli = async (view: "status" | "rewards", address?: string) => {
  output.length = 0
  process.stdout.write = ((chunk: string | Uint8Array) => {
    output.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk))
    return true
  }) as typeof process.stdout.write
  try {
    return await Effect.runPromise(Effect.either(queryProvers({ view, address, json: false, api: url, dataDir: "/nonexistent-quilbun-test" })))
  } finally {
    process.stdout.write = realWrite
  }
}

describe("provers over the admin API", () => {
  test("GET /v1/provers: address, status, seniority, ring, allocations with status, ring and last-active frame, reward raw and in QUIL", async () => {
    const res = await app.request("/v1/provers")
    expect(res.status).toBe(200)
    const body = (await res.json()) as Array<Record<string, unknown>>
    expect(body[0]).toEqual({
      address: "aa".repeat(32),
      status: "Active",
      seniority: "5",
      ring: 0,
      delegate: "aa".repeat(32),
      reward: "13107200000000",
      rewardQuil: "1638.400000000000",
      allocations: [
        { filter: "", status: "Active", ring: 0, joinFrameNumber: "0", since: "0", lastActiveFrameNumber: "41" },
        { filter: "5a".repeat(32), status: "Joining", ring: null, joinFrameNumber: "7", since: "7", lastActiveFrameNumber: "0" },
      ],
    })
    expect(body.map((p) => p["rewardQuil"])).toEqual(["1638.400000000000", "0.000000000125"])
  })

  test("GET /v1/provers/{address}: the prover (0x optional), 404 unknown, 400 malformed; without a registry [] and 404", async () => {
    expect(((await (await app.request(`/v1/provers/0x${"BB".repeat(32)}`)).json()) as { reward: string }).reward).toBe("1")
    expect((await app.request(`/v1/provers/${"cc".repeat(32)}`)).status).toBe(404)
    expect((await app.request("/v1/provers/xyz")).status).toBe(400)
    const bare = makeAdminApp(base, Runtime.defaultRuntime, options)
    expect(await (await bare.request("/v1/provers")).json()).toEqual([])
    expect((await bare.request(`/v1/provers/${"aa".repeat(32)}`)).status).toBe(404)
  })

  test("formatQuil is exact to the raw unit", () => {
    expect(formatQuil(0n)).toBe("0.000000000000")
    expect(formatQuil(8_000_000_000n)).toBe("1.000000000000")
    expect(formatQuil(8_000_000_001n)).toBe("1.000000000125")
    expect(formatQuil(-1n)).toBe("-0.000000000125")
  })
})

describe("bun run cli prover", () => {
  test("status: one line per prover in the reference client's format", async () => {
    const r = await cli("status")
    expect(Either.isRight(r)).toBe(true)
    expect(output.join("")).toBe(
      `Prover 0x${"aa".repeat(32)}: active, seniority 5, reward 1638.400000000000 QUIL\nProver 0x${"bb".repeat(32)}: active, seniority 0, reward 0.000000000125 QUIL\n`,
    )
  })

  test("rewards <address>: the line, the raw balance, and each allocation's ring and last-active frame", async () => {
    const r = await cli("rewards", `0x${"aa".repeat(32)}`)
    expect(Either.isRight(r)).toBe(true)
    expect(output.join("").split("\n")).toEqual([
      `Prover 0x${"aa".repeat(32)}: active, seniority 5, reward 1638.400000000000 QUIL`,
      "  reward 13107200000000 raw units (8000000000 per QUIL)",
      "  allocation global: active, ring 0, joined frame 0, last active frame 41",
      `  allocation 0x${"5a".repeat(32)}: joining, ring -, joined frame 7, last active frame 0`,
      "",
    ])
  })

  test("a malformed address is a usage error before any request; an unknown one names the URL and the 404", async () => {
    const bad = await cli("rewards", "0x1234")
    expect(Either.isLeft(bad) && bad.left._tag).toBe("UsageError")
    const unknown = await cli("rewards", "cc".repeat(32))
    expect(Either.isLeft(unknown) && unknown.left._tag === "CommandFailed" && unknown.left.reason).toContain(`/v1/provers/${"cc".repeat(32)}: HTTP 404`)
    expect(output).toEqual([])
  })
})
