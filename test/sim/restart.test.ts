// Restart liveness on the in-process devnet (TestClock, seeded): the whole network stopped at random
// points of a round and started again on its stores, one node restarted while the others run, and a
// node restarted in the middle of a catch-up sync. Three provers is the hard case: every TC needs all
// three timeouts, a node's own included (a stored timeout it re-broadcasts after a restart must count).
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import type { ConsensusStatus } from "../../actors/consensus/global/protocol.ts"
import type { Devnet } from "../../runtime/testing/devnet.ts"
import { seededRandom } from "../../runtime/kernel/transport/seeded-random.ts"
import { allAtLeast, chainsConsistent, heads, type LogLine, runDevnet } from "./helpers.ts"

const ALL = [0, 1, 2] as const

const maxOf = (xs: ReadonlyArray<bigint>): bigint => xs.reduce((a, b) => (b > a ? b : a), 0n)
const idle = (devnet: Devnet, ms: number) => devnet.runUntil(Effect.succeed(false), { maxMs: ms, stepMs: 50 })

/** Every node alone for a while: each times out at its rank and stores that timeout, no TC can form. */
const isolateEveryone = (devnet: Devnet, ms: number) =>
  Effect.gen(function* () {
    devnet.partition(devnet.nodes.map((n) => [n.index]))
    yield* idle(devnet, ms)
  })

const timedOutAtOneRank = (statuses: ReadonlyArray<ConsensusStatus>): boolean => {
  const ranks = new Set(statuses.map((s) => s.currentRank))
  return ranks.size === 1 && statuses.every((s) => s.latestAcknowledgedRank === s.currentRank && s.timeoutsSent > 0)
}

describe("restart liveness (3 provers)", () => {
  test("every node timed out at the same rank, then the whole network restarts: it commits again", async () => {
    const r = await runDevnet({ nodes: 3, seed: 101 }, (devnet) =>
      Effect.gen(function* () {
        yield* devnet.runUntil(allAtLeast(devnet, 4n), { maxMs: 30_000 })
        // Cut every link while all three are in one rank, so each times out in that same rank.
        const sameRank = Effect.map(devnet.statuses, (all) => new Set(all.map((s) => s.currentRank)).size === 1)
        yield* devnet.runUntil(sameRank, { maxMs: 5_000, stepMs: 5 })
        yield* isolateEveryone(devnet, 3_000)
        const stuck = yield* devnet.statuses
        for (const i of ALL) yield* devnet.crash(i)
        devnet.heal()
        for (const i of ALL) yield* devnet.restart(i)
        const before = maxOf(yield* heads(devnet))
        const resumed = yield* devnet.runUntil(allAtLeast(devnet, before + 3n), { maxMs: 30_000 })
        return { stuck, resumed, consistent: yield* chainsConsistent(devnet), statuses: yield* devnet.statuses }
      }),
    )
    // The state of the repro: all three stored a timeout for one rank.
    expect(timedOutAtOneRank(r.stuck)).toBe(true)
    expect(r.resumed).toBe(true)
    expect(r.consistent).toBe(true)
    for (const s of r.statuses) expect(s.conflicts).toEqual([])
  }, 120_000)

  const seed = 7
  test(`whole-network crash at random points of a round, 5 times (seed ${seed}): progress after each restart`, async () => {
    const rng = seededRandom(seed)
    const r = await runDevnet({ nodes: 3, seed }, (devnet) =>
      Effect.gen(function* () {
        const rounds: Array<{ readonly from: bigint; readonly resumed: boolean }> = []
        yield* devnet.runUntil(allAtLeast(devnet, 2n), { maxMs: 30_000 })
        for (let round = 0; round < 5; round++) {
          // Somewhere inside a round: before, during or after a proposal, its votes or timeouts.
          yield* idle(devnet, rng.int(0, 40) * 50)
          if (rng.chance(0.4)) yield* isolateEveryone(devnet, rng.int(1, 40) * 50)
          // The nodes go down one after another, a few ms apart, in a random order.
          const order = [...ALL].sort(() => rng.next() - 0.5)
          for (const i of order) {
            yield* devnet.crash(i)
            yield* idle(devnet, rng.int(0, 4) * 50)
          }
          devnet.heal()
          for (const i of [...ALL].sort(() => rng.next() - 0.5)) {
            yield* devnet.restart(i)
            yield* idle(devnet, rng.int(0, 4) * 50)
          }
          const from = maxOf(yield* heads(devnet))
          rounds.push({ from, resumed: yield* devnet.runUntil(allAtLeast(devnet, from + 2n), { maxMs: 30_000 }) })
        }
        return { rounds, consistent: yield* chainsConsistent(devnet), statuses: yield* devnet.statuses }
      }),
    )
    expect(r.rounds.map((x) => x.resumed)).toEqual(r.rounds.map(() => true))
    expect(r.consistent).toBe(true)
    for (const s of r.statuses) expect(s.conflicts).toEqual([])
  }, 180_000)

  test("one node restarted while the other two run, 4 times at random points: the chain goes on after each", async () => {
    const rng = seededRandom(202)
    const r = await runDevnet({ nodes: 3, seed: 202 }, (devnet) =>
      Effect.gen(function* () {
        const resumed: Array<boolean> = []
        yield* devnet.runUntil(allAtLeast(devnet, 2n), { maxMs: 30_000 })
        for (let round = 0; round < 4; round++) {
          yield* idle(devnet, rng.int(0, 30) * 50)
          const victim = rng.int(0, 2)
          yield* devnet.crash(victim)
          // With three provers nothing commits while one is down; the rest time out and wait.
          yield* idle(devnet, rng.int(1, 60) * 50)
          yield* devnet.restart(victim)
          const from = maxOf(yield* heads(devnet))
          resumed.push(yield* devnet.runUntil(allAtLeast(devnet, from + 2n), { maxMs: 30_000 }))
        }
        return { resumed, consistent: yield* chainsConsistent(devnet), statuses: yield* devnet.statuses }
      }),
    )
    expect(r.resumed).toEqual([true, true, true, true])
    expect(r.consistent).toBe(true)
    for (const s of r.statuses) expect(s.conflicts).toEqual([])
  }, 180_000)
})

describe("restart during a catch-up sync", () => {
  test("a node stopped after part of a multi-batch sync resumes from what it adopted and catches up", async () => {
    const r = await runDevnet({ nodes: 4, seed: 303, consensus: { syncBatch: 4 } }, (devnet) =>
      Effect.gen(function* () {
        yield* devnet.runUntil(allAtLeast(devnet, 3n), { maxMs: 30_000 })
        yield* devnet.crash(3)
        const behind = maxOf(yield* heads(devnet, [0, 1, 2]))
        yield* devnet.runUntil(allAtLeast(devnet, behind + 24n, [0, 1, 2]), { maxMs: 120_000 })
        const target = maxOf(yield* heads(devnet, [0, 1, 2]))
        yield* devnet.restart(3)
        // Stop it once it adopted at least one batch but is still short of the others.
        const midway = yield* devnet.runUntil(
          Effect.map(heads(devnet, [3]), (h) => (h[0] ?? 0n) >= behind + 4n),
          { maxMs: 30_000, stepMs: 5 },
        )
        const atCrash = (yield* heads(devnet, [3]))[0] ?? 0n
        yield* devnet.crash(3)
        yield* devnet.restart(3)
        const resumedAt = (yield* heads(devnet, [3]))[0] ?? 0n
        const caughtUp = yield* devnet.runUntil(allAtLeast(devnet, target + 2n), { maxMs: 60_000 })
        return { behind, target, midway, atCrash, resumedAt, caughtUp, consistent: yield* chainsConsistent(devnet) }
      }),
    )
    expect(r.midway).toBe(true)
    expect(r.atCrash < r.target).toBe(true)
    // What the first sync adopted was committed: the restarted node starts from there, not from scratch.
    expect(r.resumedAt).toBe(r.atCrash)
    expect(r.caughtUp).toBe(true)
    expect(r.consistent).toBe(true)
  }, 180_000)
})

describe("a stalled network explains itself", () => {
  test("ranks ended by timeout are logged with leader, votes, timeouts and reason (rate-limited); a long stall warns naming what is missing", async () => {
    const logs: Array<LogLine> = []
    const r = await runDevnet(
      { nodes: 4, seed: 404 },
      (devnet) =>
        Effect.gen(function* () {
          yield* devnet.runUntil(allAtLeast(devnet, 3n), { maxMs: 30_000 })
          // A crashed prover: the ranks it leads end by TC ("no proposal from the leader arrived").
          yield* devnet.crash(3)
          const atCrash = maxOf(yield* heads(devnet, [0, 1, 2]))
          yield* devnet.runUntil(allAtLeast(devnet, atCrash + 8n, [0, 1, 2]), { maxMs: 60_000 })
          // Then no quorum anywhere for 20 s of virtual time: a stall.
          devnet.partition([[0], [1], [2]])
          const stallStart = logs.length
          yield* idle(devnet, 20_000)
          return { stallLines: logs.slice(stallStart) }
        }),
      logs,
    )
    const timedOut = logs.filter((l) => l.level === "INFO" && l.message.includes(" timed out: "))
    expect(timedOut.length).toBeGreaterThan(0)
    expect(
      timedOut.some((l) => /^rank \d+ timed out: leader [0-9a-f]{12}, votes \d\/3, timeouts \d\/3, reason no proposal from the leader arrived/.test(l.message)),
    ).toBe(true)
    // Rate limit: at most one line per node per 2 s of virtual time while partitioned (20 s, 3 nodes).
    const duringStall = r.stallLines.filter((l) => l.message.includes(" timed out: "))
    expect(duringStall.length).toBeLessThanOrEqual(3 * 11)
    const stall = r.stallLines.filter((l) => l.level === "WARN" && l.message.startsWith("no frame committed for "))
    expect(stall.length).toBeGreaterThan(0)
    // Each isolated node names the timeouts it is missing and the peers it cannot reach.
    expect(stall.some((l) => /missing: .*timeouts for rank \d+: 1\/3, none from [0-9a-f]{12}, [0-9a-f]{12}/.test(l.message))).toBe(true)
  }, 120_000)
})
