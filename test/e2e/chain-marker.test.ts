// Issue 12 item 2 against the real `bun run node`: a data dir that holds a chain (chain.json) refuses
// to start a new chain when its store is missing or empty, and refuses to generate new keys; only
// `--reset-store` starts over, saying what it discards. One chain is produced once and copied per case.
import { beforeAll, describe, expect, test } from "bun:test"
import { cpSync, existsSync, readFileSync, rmSync, truncateSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { openStore, storePath } from "../../runtime/store/index.ts"
import { exitOf, getJson, pollUntil, processFixture, runChain, type RunningNode } from "./node-process.ts"

const { tempDir, spawn } = processFixture("quilbun-chain-")
const base = tempDir()
const original = join(base, "original")

interface Marker {
  readonly version: number
  readonly network: number
  readonly genesis: { readonly selector: string; readonly committee: ReadonlyArray<string> }
  readonly firstFrame: { readonly frameNumber: number; readonly selector: string }
  readonly head: number
}
const readMarker = (dir: string): Marker => JSON.parse(readFileSync(join(dir, "chain.json"), "utf8")) as Marker

let n = 0
const copy = (): string => {
  const dir = join(base, `case-${++n}`)
  cpSync(original, dir, { recursive: true })
  return dir
}

const start = (dir: string, extra: ReadonlyArray<string> = []): RunningNode => spawn(dir, ["--workers", "1", "--set", "engine.difficulty=100", ...extra])

/** Starts the node on `dir` and expects exit 1 with one line on stderr. */
const refused = async (dir: string, extra: ReadonlyArray<string> = []) => {
  const exit = await exitOf(start(dir, extra), 15_000)
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 1, signal: null })
  const line = exit.output.split("\n").find((l) => l.startsWith("node: cannot start: ")) ?? exit.output
  return line
}

beforeAll(async () => {
  await runChain(original, 1)
}, 70_000)

describe("chain.json", () => {
  test("is written with the first commit: network, genesis, first frame, a head", () => {
    const marker = readMarker(original)
    expect(marker.version).toBe(1)
    expect(marker.network).toBe(99)
    expect(marker.genesis.selector).toMatch(/^[0-9a-f]{64}$/)
    expect(marker.genesis.committee.length).toBe(1)
    expect(marker.firstFrame.frameNumber).toBe(1)
    expect(marker.head).toBeGreaterThanOrEqual(1)
  })

  test("master/data.mdb removed: exit 1 naming the missing file, nothing created", async () => {
    const dir = copy()
    rmSync(join(dir, "master", "data.mdb"))
    const line = await refused(dir)
    expect(line).toContain(`holds a chain`)
    expect(line).toContain(`${join(dir, "master", "data.mdb")} is missing`)
    expect(line).toContain("--reset-store")
    expect(existsSync(join(dir, "master", "data.mdb"))).toBe(false)
  }, 20_000)

  test("master/data.mdb truncated to 0 bytes: exit 1, the store file is empty", async () => {
    const dir = copy()
    truncateSync(join(dir, "master", "data.mdb"), 0)
    expect(await refused(dir)).toContain(`${join(dir, "master", "data.mdb")} is empty`)
  }, 20_000)

  test("master/ removed: exit 1, the store is missing", async () => {
    const dir = copy()
    rmSync(join(dir, "master"), { recursive: true })
    expect(await refused(dir)).toContain(`the store ${join(dir, "master")} is missing`)
  }, 20_000)

  test("a store with no committed frame: exit 1", async () => {
    const dir = copy()
    rmSync(join(dir, "master"), { recursive: true })
    // A valid, empty quilbun store where the chain's was.
    const store = await Effect.runPromise(openStore({ path: storePath(dir, "master") }))
    await store.close()
    expect(await refused(dir)).toContain(`the store ${join(dir, "master")} holds no committed frame`)
  }, 20_000)

  for (const key of ["keys/prover.key", "keys/peer.key", "keys/identity.key"]) {
    test(`${key} removed: exit 1 instead of a new key`, async () => {
      const dir = copy()
      rmSync(join(dir, key))
      const line = await refused(dir)
      expect(line).toContain(join(dir, key))
      expect(line).toContain("holds a chain")
      expect(existsSync(join(dir, key))).toBe(false)
    }, 20_000)
  }

  test("api.token removed: a new token, with a warning", async () => {
    const dir = copy()
    const before = readFileSync(join(dir, "api.token"), "utf8")
    rmSync(join(dir, "api.token"))
    const node = start(dir)
    await pollUntil("/health", 15_000, async () => ((await fetch(`${node.url}/health`)).ok ? true : undefined))
    node.proc.kill("SIGTERM")
    const exit = await exitOf(node, 15_000)
    expect(exit.code).toBe(0)
    expect(readFileSync(join(dir, "api.token"), "utf8")).not.toBe(before)
    expect(exit.output).toContain("api.token was missing; generated a new admin API token")
  }, 25_000)

  test("--reset-store: says what it discards, starts a new chain, rewrites chain.json", async () => {
    const dir = copy()
    const old = readMarker(dir)
    const oldText = readFileSync(join(dir, "chain.json"), "utf8")
    rmSync(join(dir, "master"), { recursive: true })
    const node = start(dir, ["--reset-store"])
    await pollUntil("a new chain.json", 60_000, async () => {
      await getJson(`${node.url}/health`)
      const path = join(dir, "chain.json")
      return existsSync(path) && readFileSync(path, "utf8") !== oldText && readMarker(dir).firstFrame.frameNumber === 1 ? true : undefined
    })
    node.proc.kill("SIGTERM")
    const exit = await exitOf(node, 15_000)
    expect(exit.code).toBe(0)
    expect(exit.output).toContain("--reset-store")
    expect(exit.output).toContain(`discarding the chain recorded in chain.json (network 99, head ${old.head}`)
    expect(readMarker(dir).genesis).toEqual(old.genesis)
  }, 80_000)
})
