// Consensus → time reel → event distributor on each devnet node: committed frames become the reel's
// canonical chain (NewHead per frame), and a double proposal is announced as GlobalEquivocation.
import { bytesToHex } from "@noble/hashes/utils.js"
import { expect, test } from "bun:test"
import { Effect } from "effect"
import { subscribe } from "../../actors/event-distributor/index.ts"
import { Head, Rewind } from "../../actors/time-reel/protocol.ts"
import { allAtLeast, type LogLine, runDevnet } from "./helpers.ts"

test("every node's global time reel follows the committed chain and announces each head", async () => {
  const r = await runDevnet({ nodes: 4, seed: 91, timeReels: true, consensus: { stopAfterFrame: 7n } }, (devnet) =>
    Effect.gen(function* () {
      const subs = yield* Effect.forEach([0, 1, 2, 3], (i) => subscribe(devnet.distributor(i), { id: `t${i}`, types: ["GlobalNewHead"] }).pipe(Effect.orDie))
      yield* devnet.runUntil(allAtLeast(devnet, 6n), { maxMs: 30_000, stepMs: 100 })
      yield* devnet.runUntil(Effect.succeed(false), { maxMs: 500, stepMs: 100 }) // let the reels drain
      const statuses = yield* devnet.statuses
      const reelHeads = yield* Effect.forEach([0, 1, 2, 3], (i) => devnet.reel(i).ask(new Head()).pipe(Effect.orDie))
      const announced = yield* Effect.forEach(subs, (s) => s.drain)
      return { statuses, reelHeads, announced }
    }),
  )
  r.statuses.forEach((s, i) => {
    const head = r.reelHeads[i]
    expect(head?.frame.header.frameNumber).toBe(s.committedHead.frameNumber)
    expect(bytesToHex(head?.selector ?? new Uint8Array())).toBe(s.committedHead.selector)
  })
  for (const events of r.announced) {
    // Genesis' NewHead may precede the subscription (the reel is fed from the consensus's start).
    const numbers = events.map((d) => d.event.frame.header.frameNumber).filter((n) => n > 0n)
    expect(numbers).toEqual([1n, 2n, 3n, 4n, 5n, 6n])
  }
}, 60_000)

test("a double proposal is published as GlobalEquivocation by the node that saw both frames", async () => {
  const r = await runDevnet({ nodes: 4, seed: 92, timeReels: true }, (devnet) =>
    Effect.gen(function* () {
      const subs = yield* Effect.forEach([0, 1, 2, 3], (i) =>
        subscribe(devnet.distributor(i), { id: `e${i}`, types: ["GlobalEquivocation"] }).pipe(Effect.orDie),
      )
      devnet.byzantine(0, "equivocate")
      yield* devnet.runUntil(allAtLeast(devnet, 12n), { maxMs: 60_000, stepMs: 100 })
      const events = yield* Effect.forEach(subs, (s) => s.drain)
      const statuses = yield* devnet.statuses
      return { events: events.flat().map((d) => d.event), statuses, byzantine: bytesToHex(devnet.nodes[0]?.signer.address ?? new Uint8Array()) }
    }),
  )
  const detected = r.statuses.flatMap((s) => s.equivocations.filter((e) => e.kind === "double-proposal" && e.prover === r.byzantine))
  expect(detected.length).toBeGreaterThan(0)
  expect(r.events.length).toBeGreaterThanOrEqual(detected.length)
  const byzantineIndex = [...r.statuses]
    .map((s) => s.address)
    .sort()
    .indexOf(r.byzantine)
  for (const e of r.events) expect(e.equivocators).toEqual([byzantineIndex])
}, 60_000)

test("a reel left behind consensus (as by a kill -9 between the two commits) catches up on restart, without a genesis conflict", async () => {
  const logs: Array<LogLine> = []
  const r = await runDevnet(
    { nodes: 4, seed: 93, timeReels: true, consensus: { stopAfterFrame: 9n } },
    (devnet) =>
      Effect.gen(function* () {
        yield* devnet.runUntil(allAtLeast(devnet, 8n), { maxMs: 30_000, stepMs: 100 })
        yield* devnet.runUntil(Effect.succeed(false), { maxMs: 500, stepMs: 100 })
        // The reel of node 2 loses its last three frames; consensus keeps them.
        const before = yield* devnet.reel(2).ask(new Head()).pipe(Effect.orDie)
        const lagging = (before?.frame.header.frameNumber ?? 0n) - 3n
        yield* devnet
          .reel(2)
          .ask(new Rewind({ frameNumber: lagging }))
          .pipe(Effect.orDie)
        yield* devnet.crash(2)
        yield* devnet.restart(2)
        yield* devnet.runUntil(allAtLeast(devnet, 9n), { maxMs: 30_000, stepMs: 100 })
        yield* devnet.runUntil(Effect.succeed(false), { maxMs: 500, stepMs: 100 })
        const consensus = (yield* devnet.status(2)).committedHead
        const reel = yield* devnet.reel(2).ask(new Head()).pipe(Effect.orDie)
        return { lagging, consensus, reel }
      }),
    logs,
  )
  expect(r.lagging).toBeGreaterThan(0n)
  expect(r.reel?.frame.header.frameNumber).toBe(r.consensus.frameNumber)
  expect(bytesToHex(r.reel?.selector ?? new Uint8Array())).toBe(r.consensus.selector)
  expect(logs.some((l) => l.message.startsWith(`time reel caught up with consensus: frames ${r.lagging + 1n}..`))).toBe(true)
  expect(logs.filter((l) => l.message.includes("ConflictingGenesis") || l.message.includes("refused"))).toEqual([])
}, 60_000)
