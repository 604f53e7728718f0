// Devnet simulations of the global consensus actor (4 nodes, in-memory transport, TestClock, seeded).
// Crypto: the INSECURE test BLS stand-in and (except where noted) the insecure hash VDF stand-in.
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { consensusRows, decodeSafety, SAFETY_KEY } from "../../actors/consensus/global/persistence.ts"
import { decodeCertifiedFrame } from "../../actors/consensus/global/persistence.ts"
import { TypePrefix } from "../../actors/consensus/core/canonical/type-prefix.ts"
import { decodeProposalVote } from "../../actors/consensus/core/messages/proposal-vote.ts"
import { allAtLeast, chainOf, chainsConsistent, heads, runDevnet, selectorsOf } from "./helpers.ts"

describe("devnet: happy path", () => {
  test("4 nodes commit 100 frames with byte-identical chains and identical heads", async () => {
    const result = await runDevnet({ nodes: 4, seed: 11, consensus: { stopAfterFrame: 101n } }, (devnet) =>
      Effect.gen(function* () {
        const reached = yield* devnet.runUntil(allAtLeast(devnet, 100n), { maxMs: 120_000, stepMs: 100 })
        const hs = yield* heads(devnet)
        const chains = yield* Effect.forEach([0, 1, 2, 3], (i) => chainOf(devnet, i, 100n))
        const statuses = yield* devnet.statuses
        return { reached, hs, chains, statuses }
      }),
    )
    expect(result.reached).toBe(true)
    expect(result.hs).toEqual([100n, 100n, 100n, 100n])
    expect(result.chains[0]?.length).toBe(100)
    for (const c of result.chains) expect(c).toEqual(result.chains[0] ?? [])
    // Linked: frame n's parent selector is frame n−1's selector.
    const frames = (result.chains[0] ?? []).map((h) => decodeCertifiedFrame(hexToBytes(h)))
    frames.forEach((f, i) => expect(f.frame.header.frameNumber).toBe(BigInt(i + 1)))
    for (let i = 1; i < frames.length; i++) {
      expect(bytesToHex(frames[i]?.frame.header.parentSelector ?? new Uint8Array())).toBe(bytesToHex(frames[i - 1]?.qc.selector ?? new Uint8Array()))
    }
    for (const s of result.statuses) {
      expect(s.rejections).toEqual([])
      expect(s.conflicts).toEqual([])
    }
  }, 120_000)

  test("the same seed gives a byte-identical chain; another seed a different one", async () => {
    const run = (seed: number) =>
      runDevnet({ nodes: 4, seed, consensus: { stopAfterFrame: 13n } }, (devnet) =>
        Effect.gen(function* () {
          yield* devnet.runUntil(allAtLeast(devnet, 12n), { maxMs: 30_000, stepMs: 100 })
          return yield* chainOf(devnet, 0, 12n)
        }),
      )
    const a = await run(5)
    const b = await run(5)
    const c = await run(6)
    expect(a.length).toBe(12)
    expect(b).toEqual(a)
    expect(c.length).toBe(12)
    expect(c).not.toEqual(a)
  }, 60_000)

  test("safety state is persisted before a vote leaves the node", async () => {
    const checked = await runDevnet({ nodes: 4, seed: 3 }, (devnet) =>
      Effect.gen(function* () {
        const seen: Array<boolean> = []
        devnet.network.intercept((m) => {
          const isVote = new DataView(m.data.buffer, m.data.byteOffset, 4).getUint32(0, false) === TypePrefix.ProposalVote
          if (isVote) {
            const vote = decodeProposalVote(m.data)
            const index = devnet.nodes.findIndex((n) => n.peerId === m.from)
            if (vote._tag === "Right" && index >= 0) {
              const stored = devnet.store(index).repository(consensusRows).get(SAFETY_KEY)
              seen.push(stored !== undefined && decodeSafety(stored).latestAcknowledgedRank >= vote.right.rank)
            }
          }
          return [m.data]
        })
        yield* devnet.runUntil(allAtLeast(devnet, 5n), { maxMs: 20_000 })
        return seen
      }),
    )
    expect(checked.length).toBeGreaterThan(10)
    expect(checked.every((ok) => ok)).toBe(true)
  }, 30_000)
})

describe("devnet: crash, restart and partitions", () => {
  test("with 1 of 4 crashed the others progress; the node restarts from its persisted head and catches up", async () => {
    const r = await runDevnet({ nodes: 4, seed: 21 }, (devnet) =>
      Effect.gen(function* () {
        yield* devnet.runUntil(allAtLeast(devnet, 8n), { maxMs: 20_000 })
        const before = (yield* devnet.status(2)).committedHead
        yield* devnet.crash(2)
        const progressed = yield* devnet.runUntil(allAtLeast(devnet, before.frameNumber + 15n, [0, 1, 3]), { maxMs: 120_000 })
        yield* devnet.restart(2)
        const resumed = (yield* devnet.status(2)).committedHead
        const target = (yield* heads(devnet, [0])).at(0) ?? 0n
        const caughtUp = yield* devnet.runUntil(allAtLeast(devnet, target + 3n), { maxMs: 60_000 })
        const consistent = yield* chainsConsistent(devnet)
        const restarted = yield* selectorsOf(devnet, 2, target)
        const reference = yield* selectorsOf(devnet, 0, target)
        const statuses = yield* devnet.statuses
        return { before, progressed, resumed, caughtUp, consistent, restarted, reference, statuses }
      }),
    )
    expect(r.progressed).toBe(true)
    expect(r.resumed).toEqual(r.before)
    expect(r.caughtUp).toBe(true)
    expect(r.consistent).toBe(true)
    expect(r.restarted).toEqual(r.reference)
    for (const s of r.statuses) expect(s.conflicts).toEqual([])
    // The crashed node's ranks were ended by timeout certificates.
    expect(r.statuses.some((s) => s.tcsBuilt > 0)).toBe(true)
  }, 180_000)

  test("a 2/2 partition commits nothing conflicting and resumes after healing", async () => {
    const r = await runDevnet({ nodes: 4, seed: 31 }, (devnet) =>
      Effect.gen(function* () {
        yield* devnet.runUntil(allAtLeast(devnet, 5n), { maxMs: 20_000 })
        devnet.partition([
          [0, 1],
          [2, 3],
        ])
        const atSplit = yield* heads(devnet)
        yield* devnet.runUntil(Effect.succeed(false), { maxMs: 8_000, stepMs: 100 })
        const during = yield* heads(devnet)
        const consistentDuring = yield* chainsConsistent(devnet)
        devnet.heal()
        const maxAtSplit = atSplit.reduce((a, b) => (b > a ? b : a), 0n)
        const resumed = yield* devnet.runUntil(allAtLeast(devnet, maxAtSplit + 10n), { maxMs: 120_000, stepMs: 100 })
        const consistentAfter = yield* chainsConsistent(devnet)
        const statuses = yield* devnet.statuses
        return { atSplit, during, consistentDuring, resumed, consistentAfter, statuses }
      }),
    )
    // Without a quorum on either side nothing new is finalized beyond what was in flight (≤ 2 frames).
    r.during.forEach((h, i) => expect(h <= (r.atSplit[i] ?? 0n) + 2n).toBe(true))
    expect(r.consistentDuring).toBe(true)
    expect(r.resumed).toBe(true)
    expect(r.consistentAfter).toBe(true)
    for (const s of r.statuses) expect(s.conflicts).toEqual([])
  }, 180_000)
})

describe("devnet: lossy links", () => {
  test("delayed, dropped and duplicated messages slow the chain down but never split it", async () => {
    const r = await runDevnet({ nodes: 4, seed: 81, faults: { dropRate: 0.05, duplicateRate: 0.1, minDelayMs: 1, maxDelayMs: 80 } }, (devnet) =>
      Effect.gen(function* () {
        const progressed = yield* devnet.runUntil(allAtLeast(devnet, 20n), { maxMs: 120_000, stepMs: 100 })
        const consistent = yield* chainsConsistent(devnet)
        return { progressed, consistent, statuses: yield* devnet.statuses, stats: devnet.network.stats() }
      }),
    )
    expect(r.stats.dropped).toBeGreaterThan(0)
    expect(r.stats.duplicated).toBeGreaterThan(0)
    expect(r.progressed).toBe(true)
    expect(r.consistent).toBe(true)
    for (const s of r.statuses) {
      expect(s.conflicts).toEqual([])
      expect(s.rejections).toEqual([])
    }
  }, 180_000)
})

describe("devnet: byzantine proposers", () => {
  for (const [seed, byzantine] of [
    [41, 1],
    [42, 2],
    [43, 3],
  ] as const) {
    test(`an equivocating leader is detected and no fork commits (seed ${seed}, node ${byzantine})`, async () => {
      const r = await runDevnet({ nodes: 4, seed }, (devnet) =>
        Effect.gen(function* () {
          devnet.byzantine(byzantine, "equivocate")
          const progressed = yield* devnet.runUntil(allAtLeast(devnet, 20n), { maxMs: 120_000 })
          const statuses = yield* devnet.statuses
          const consistent = yield* chainsConsistent(devnet)
          return { progressed, statuses, consistent, address: bytesToHex(devnet.nodes[byzantine]?.signer.address ?? new Uint8Array()) }
        }),
      )
      expect(r.progressed).toBe(true)
      expect(r.consistent).toBe(true)
      const detections = r.statuses.flatMap((s) => s.equivocations).filter((e) => e.prover === r.address)
      expect(detections.some((e) => e.kind === "double-proposal")).toBe(true)
      // Only the byzantine prover is ever accused.
      expect(r.statuses.flatMap((s) => s.equivocations).every((e) => e.prover === r.address)).toBe(true)
      for (const s of r.statuses) expect(s.conflicts).toEqual([])
    }, 180_000)
  }

  for (const [fault, reason] of [
    ["invalid-vdf", "BadVdf"],
    ["bad-signature", "InvalidCertificateSignature"],
  ] as const) {
    test(`${fault} proposals are rejected (${reason}) and their sender penalized; the chain goes on`, async () => {
      const r = await runDevnet({ nodes: 4, seed: 51 }, (devnet) =>
        Effect.gen(function* () {
          devnet.byzantine(3, fault)
          const progressed = yield* devnet.runUntil(allAtLeast(devnet, 12n), { maxMs: 120_000 })
          const statuses = yield* devnet.statuses
          const consistent = yield* chainsConsistent(devnet)
          return { progressed, statuses, consistent, sender: devnet.nodes[3]?.peerId ?? "" }
        }),
      )
      expect(r.progressed).toBe(true)
      expect(r.consistent).toBe(true)
      const honest = r.statuses.filter((s) => s.peerId !== r.sender)
      for (const s of honest) {
        const mine = s.rejections.filter((x) => x.from === r.sender)
        expect(mine.length).toBeGreaterThan(0)
        expect(mine.every((x) => x.kind === "proposal" && x.reason === reason)).toBe(true)
        expect(s.penalties[r.sender] ?? 0).toBeGreaterThan(0)
      }
    }, 180_000)
  }
})
