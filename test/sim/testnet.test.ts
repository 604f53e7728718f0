// The testnet kit (quilbun/testing) end to end: 4 nodes with two app shards in one process, under the
// kit's own TestClock. Writes on both shards commit and every node holds the same roots; a crashed node
// restarts and catches up; a partitioned minority halts nothing for the majority and catches up after
// heal; a 2/2 split commits nothing on either side and the shard resumes after heal; a byzantine app
// prover (equivocating, or claiming wrong state roots) is caught by the rule it breaks and does not fork
// the honest nodes; the same seed gives the same app chain. Wall times are printed (they are mostly load: each test is a few CPU seconds).
import { describe, expect, test } from "bun:test"
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { Effect, Logger, LogLevel, TestContext } from "effect"
import { hypergraphIntrinsic } from "../../intrinsics/hypergraph/index.ts"
import { KV_DEFAULT_DOMAIN, kvSet } from "../../plugins/kv/kv.ts"
import kv from "../../plugins/kv/index.ts"
import { type CommittedAppFrame, makeTestnet, Testnet } from "quilbun/testing"
import { testConfig, testSchema, writeSecret } from "../unit/intrinsics/hypergraph/fixtures/hypergraph-env.ts"

const KV = bytesToHex(KV_DEFAULT_DOMAIN)
const utf8 = new TextEncoder()
const started = () => {
  const t0 = performance.now()
  return (name: string) => console.log(`${name}: ${Math.round(performance.now() - t0)} ms wall`)
}

/** A hypergraph instance (its address depends on the node's crypto: the kit answers it). */
const deployNotes = (net: Testnet, node: number) => net.submit(hypergraphIntrinsic, "deploy", { config: testConfig, schema: testSchema }, { node })

const putNote = (net: Testnet, notes: string, n: number, text: string, node: number) =>
  net.submit(
    hypergraphIntrinsic,
    "putVertex",
    {
      domain: hexToBytes(notes),
      entries: [{ key: Uint8Array.of(0), value: utf8.encode(text) }],
      dataAddress: new Uint8Array(32).fill(n),
      signingKey: writeSecret,
    },
    { node },
  )

/** Every pair of nodes agrees on every frame number both committed (same selector), and on no other frame at any number. */
const noFork = (chains: ReadonlyArray<ReadonlyArray<CommittedAppFrame>>) => {
  const byNumber = new Map<bigint, string>()
  for (const chain of chains)
    for (const f of chain) {
      const other = byNumber.get(f.frameNumber)
      if (other !== undefined) expect(f.selector).toBe(other)
      byNumber.set(f.frameNumber, f.selector)
    }
}

/** The chains are identical up to the shortest: same frames, same order, nothing skipped on one and kept on another. */
const sameChain = (chains: ReadonlyArray<ReadonlyArray<CommittedAppFrame>>) => {
  const length = Math.min(...chains.map((c) => c.length))
  expect(length).toBeGreaterThan(0)
  const [first, ...rest] = chains.map((c) => c.slice(0, length))
  for (const c of rest) expect(c).toEqual(first ?? [])
}

/** The roots of the shard at one frame, equal on every running node. */
const agreedRoots = async (net: Testnet, shard: string, nodes: ReadonlyArray<number>) => {
  const roots = await net.roots(shard)
  const views = nodes.map((i) => roots[i])
  for (const v of views) expect(v).toBeDefined()
  const [first, ...rest] = views
  for (const v of rest) {
    expect(v?.frameNumber).toBe(first?.frameNumber ?? -1n)
    expect(v?.roots).toEqual(first?.roots ?? [])
  }
  return first
}

describe("testnet kit: 4 nodes, 2 app shards, in process", () => {
  test("writes on both shards commit; every node holds the same roots of each", async () => {
    const time = started()
    await using net = await Testnet.start({ nodes: 4, shards: 2, plugins: [kv], seed: 11 })
    expect(net.shards).toEqual([KV])
    const kvCommit = await net.submit(kv, "set", { key: "a", value: "1" }, { node: 1 })
    expect(kvCommit.shard).toBe(KV)
    const NOTES = (await deployNotes(net, 2)).shard
    expect(NOTES).not.toBe(KV)
    expect(net.shards).toEqual([KV, NOTES])
    await putNote(net, NOTES, 1, "alice", 3)
    await net.submit(kv, "incrby", { key: "counter", n: 7n }, { node: 0 })
    await net.advance(2)
    for (const shard of [KV, NOTES]) {
      const roots = await agreedRoots(net, shard, [0, 1, 2, 3])
      expect(roots?.roots.some((r) => r !== "00".repeat(64))).toBe(true)
    }
    // The shards hold different state; each node answers queries on both.
    expect((await net.roots(KV))[0]?.roots).not.toEqual((await net.roots(NOTES))[0]?.roots)
    for (const node of [0, 3]) {
      expect(await net.query(kv, "get", { key: "counter" }, { node })).toEqual({ value: "7" })
      const vertex = await net.query(hypergraphIntrinsic, "vertex", { id: NOTES + "01".repeat(32) }, { node })
      expect(JSON.stringify(vertex)).toContain(bytesToHex(utf8.encode("alice")))
    }
    // A third shard does not fit in two slots: typed, and nothing changed.
    await expect(
      net.submit(hypergraphIntrinsic, "deploy", { config: { ...testConfig, writePublicKey: testConfig.readPublicKey }, schema: testSchema }),
    ).rejects.toMatchObject({ _tag: "NoFreeShard", shards: 2 })
    expect(net.shards).toEqual([KV, NOTES])
    // An operation as bytes is wrapped in a bundle; bytes that do not route are refused before any shard sees them.
    const raw = await net.submit(kvSet.encode({ domain: KV_DEFAULT_DOMAIN, key: utf8.encode("raw"), value: utf8.encode("op"), n: 0n }), { node: 3 })
    expect(raw).toMatchObject({ shard: KV, node: 3 })
    expect(await net.query(kv, "get", { key: "raw" }, { node: 1 })).toEqual({ value: "op" })
    await expect(net.submit(Uint8Array.of(0, 0, 0x03, 0x12, 1, 2), { node: 0 })).rejects.toMatchObject({ _tag: "BundleInvalid", reason: "malformed" })
    await expect(net.query(kv, "get", { key: "x" }, { node: 4 })).rejects.toMatchObject({ _tag: "NoSuchNode", node: 4 })
    // A bundle the shard refuses rejects with its reason.
    await expect(net.submit(kv, "expire", { key: "counter", n: 0n })).rejects.toMatchObject({ _tag: "BundleRejected", shard: KV })
    time("two shards")
  }, 240_000)

  test("a crashed node restarts and catches up: same chain, same roots, the writes made while it was down", async () => {
    const time = started()
    await using net = await Testnet.start({ nodes: 4, shards: 1, plugins: [kv], seed: 12 })
    await net.submit(kv, "set", { key: "before", value: "1" }, { node: 0 })
    await net.crash(2)
    await expect(net.query(kv, "get", { key: "before" }, { node: 2 })).rejects.toMatchObject({ _tag: "NodeNotRunning", node: 2 })
    for (let i = 0; i < 3; i++) await net.submit(kv, "incrby", { key: "while-down", n: 1n }, { node: [0, 1, 3][i] ?? 0 })
    await net.advance(3)
    const downAt = (await net.heads(KV))[0] ?? 0n
    await net.restart(2)
    await expect(net.restart(2)).rejects.toMatchObject({ _tag: "NodeRunning", node: 2 })
    await net.advance(3)
    const heads = await net.heads(KV)
    for (const h of heads) expect(h ?? 0n).toBeGreaterThan(downAt)
    expect(await net.query(kv, "get", { key: "while-down" }, { node: 2 })).toEqual({ value: "3" })
    await agreedRoots(net, KV, [0, 1, 2, 3])
    noFork(await Promise.all([0, 1, 2, 3].map((i) => net.frames(KV, i))))
    time("crash and restart")
  }, 240_000)

  test("a partitioned minority halts nothing for the majority, and catches up after heal", async () => {
    const time = started()
    await using net = await Testnet.start({ nodes: 4, shards: 1, plugins: [kv], seed: 13 })
    await net.submit(kv, "set", { key: "k", value: "before" }, { node: 3 })
    await net.partition([0, 1, 2], [3])
    const cutAt = (await net.heads(KV))[3] ?? 0n
    const during = await net.submit(kv, "set", { key: "k", value: "during" }, { node: 1 })
    await net.advance(4)
    // The minority cannot certify anything on its own (quorum 3 of 4).
    const minority = (await net.heads(KV))[3] ?? 0n
    expect(minority).toBeLessThan(during.frameNumber)
    expect(minority - cutAt).toBeLessThanOrEqual(2n)
    expect(await net.query(kv, "get", { key: "k" }, { node: 3, wait: false })).toEqual({ value: "before" })
    await net.heal()
    await net.advance(3)
    expect(await net.query(kv, "get", { key: "k" }, { node: 3 })).toEqual({ value: "during" })
    await agreedRoots(net, KV, [0, 1, 2, 3])
    noFork(await Promise.all([0, 1, 2, 3].map((i) => net.frames(KV, i))))
    time("partition and heal")
  }, 240_000)

  test("a 2/2 split of the shard's 4-prover ring commits no app frame on either side; after heal the shard resumes and all four agree", async () => {
    const time = started()
    await using net = await Testnet.start({ nodes: 4, shards: 1, plugins: [kv], seed: 15 })
    await net.submit(kv, "set", { key: "k", value: "before" }, { node: 0 })
    await expect(net.advanceTime(-1)).rejects.toMatchObject({ _tag: "InvalidDuration", ms: -1 })
    await net.partition([0, 1], [2, 3])
    // What was in flight at the cut lands (or is dropped) within a second; after that nothing may commit.
    await net.advanceTime(1_000)
    const cut = await Promise.all([0, 1, 2, 3].map((i) => net.frames(KV, i)))
    const globalCut = await net.heads()
    // Neither side has a quorum (3 of 4): rank timeouts backed off to their longest, no frame made anywhere.
    await net.advanceTime(10_000)
    const split = await Promise.all([0, 1, 2, 3].map((i) => net.frames(KV, i)))
    expect(split).toEqual(cut)
    expect(await net.heads()).toEqual(globalCut)
    noFork(split)
    // Each side says so: too few provers cover the shard (D-APP-13).
    for (const i of [0, 1, 2, 3]) expect((await net.shardView(KV, i)).halted).toBe(true)
    await net.heal()
    await net.advance(3)
    const healed = await Promise.all([0, 1, 2, 3].map((i) => net.frames(KV, i)))
    for (const [i, chain] of healed.entries()) expect(chain.length).toBeGreaterThan(split[i]?.length ?? 0)
    noFork(healed)
    sameChain(healed)
    await net.submit(kv, "set", { key: "k", value: "after" }, { node: 3 })
    for (const node of [0, 1, 2, 3]) expect(await net.query(kv, "get", { key: "k" }, { node })).toEqual({ value: "after" })
    await agreedRoots(net, KV, [0, 1, 2, 3])
    time("2/2 split and heal")
  }, 240_000)

  for (const fault of ["equivocate", "bad-state-roots"] as const)
    test(`a byzantine app prover (${fault}) is caught by the rule it breaks and does not fork the honest nodes`, async () => {
      const time = started()
      await using net = await Testnet.start({ nodes: 4, shards: 1, plugins: [kv], seed: 14 })
      await net.byzantine(1, fault)
      for (let i = 0; i < 4; i++) await net.submit(kv, "set", { key: `k${i}`, value: `v${i}` }, { node: [0, 2, 3, 2][i] ?? 0 })
      await net.advance(6)
      // The fault was exercised: node 1 led and its proposals were rewritten.
      expect(net.byzantineProposals(1)).toBeGreaterThan(0)
      const chains = await Promise.all([0, 1, 2, 3].map((i) => net.frames(KV, i)))
      noFork(chains)
      sameChain([chains[0] ?? [], chains[2] ?? [], chains[3] ?? []])
      // The rewritten frames reach the rule under test (a frame whose header signature no longer covers
      // it would be refused as BadSignature before either rule looks at it).
      const honest = await Promise.all([0, 2, 3].map((i) => net.consensus(KV, i)))
      for (const s of honest) {
        expect(s.conflicts).toEqual([])
        expect(s.rejections.filter((r) => r.reason === "BadSignature")).toEqual([])
      }
      if (fault === "equivocate") {
        // Node 0 (the first honest peer) gets both frames of node 1's ranks: a double proposal, by node 1 only.
        const seen = honest.flatMap((s) => s.equivocations)
        expect(honest[0]?.equivocations.some((e) => e.kind === "double-proposal" && e.prover === net.proverOf(1))).toBe(true)
        expect(seen.every((e) => e.prover === net.proverOf(1))).toBe(true)
        // The count reaches the shard view the worker gives the master (GET /v1/shards).
        const view = await net.shardView(KV, 0)
        expect(view.equivocations).toBeGreaterThanOrEqual(honest[0]?.equivocationsDetected ?? 1)
        expect(view.equivocations).toBeGreaterThan(0)
      } else {
        // Frames claiming roots the shard does not have are refused for their roots, and never committed.
        for (const s of honest) expect(s.rejections.some((r) => r.reason === "BadStateRoots" && r.prover === net.proverOf(1))).toBe(true)
        for (const chain of chains) expect(chain.filter((f) => f.prover === net.proverOf(1))).toEqual([])
      }
      await agreedRoots(net, KV, [0, 1, 2, 3])
      for (const node of [0, 2, 3]) expect(await net.query(kv, "scan", { prefix: "k" }, { node })).toEqual({ keys: ["k0", "k1", "k2", "k3"] })
      time(`byzantine ${fault}`)
    }, 240_000)

  test("the same seed gives the same app chain, frame for frame (and another seed does not)", async () => {
    const time = started()
    const chainOf = async (seed: number) => {
      await using net = await Testnet.start({ nodes: 4, shards: 1, plugins: [kv], seed })
      for (let i = 0; i < 3; i++) await net.submit(kv, "set", { key: `k${i}`, value: `v${i}` }, { node: i })
      await net.advance(3)
      const frames = await net.frames(KV, 0)
      return { frames: frames.map((f) => `${f.frameNumber} ${f.selector} ${f.prover}`), roots: (await net.roots(KV))[0] }
    }
    const first = await chainOf(21)
    const again = await chainOf(21)
    expect(first.frames.length).toBeGreaterThan(3)
    // Runs stop at the same point under the kit's TestClock, so the chains are equal, not just one a prefix.
    expect(again).toEqual(first)
    expect((await chainOf(22)).frames).not.toEqual(first.frames)
    time("same seed")
  }, 240_000)

  test("the scoped Effect form: a one-node testnet under the caller's TestClock commits and answers; stores under the given dataDir", async () => {
    const time = started()
    const parent = mkdtempSync(join(tmpdir(), "quilbun-testnet-effect-"))
    try {
      const program = Effect.gen(function* () {
        const net = yield* makeTestnet({ nodes: 1, plugins: [kv], dataDir: join(parent, "net") })
        const op = yield* net.build(kv, "set", { key: "effect", value: "form" })
        const commit = yield* net.submit(op)
        const answer = yield* net.query(kv, "get", { key: "effect" })
        return { commit, answer, stores: readdirSync(join(parent, "net")).sort() }
      }).pipe(Effect.scoped, Effect.provide(TestContext.TestContext), Logger.withMinimumLogLevel(LogLevel.Error))
      const r = await Effect.runPromise(program)
      expect(r.commit).toMatchObject({ shard: KV, node: 0 })
      expect(r.answer).toEqual({ value: "form" })
      expect(r.stores).toEqual(["global", "node-0"])
      // A given dataDir is the caller's: kept after the scope closes.
      expect(existsSync(join(parent, "net"))).toBe(true)
    } finally {
      rmSync(parent, { recursive: true, force: true })
    }
    time("effect form")
  }, 240_000)
})
