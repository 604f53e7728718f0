import { describe, expect, test } from "bun:test"
import { Deferred, Effect, Fiber } from "effect"
import type { CertifiedFrame } from "../../../../../actors/consensus/core/chain-kind.ts"
import type { StateWrite, StoredProposalKey } from "../../../../../actors/consensus/core/engine-ports.ts"
import { QuorumCertificate } from "../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import { Outbox } from "../../../../../actors/consensus/core/outbox.ts"
import { LivenessState } from "../../../../../actors/consensus/core/rank-tracker.ts"
import { ConsensusState } from "../../../../../actors/consensus/core/safety-rules.ts"

interface Frame {
  readonly header: { readonly frameNumber: bigint; readonly rank: bigint }
}
type Proposal = string
type Write = StateWrite<Frame, Proposal>

const EMPTY = new Uint8Array()
const qc = (rank: bigint) => new QuorumCertificate({ filter: EMPTY, rank, frameNumber: 0n, selector: new Uint8Array(32), timestamp: 0n })
const safety = (rank: bigint) => new ConsensusState({ filter: EMPTY, highestVotedParentRank: rank, latestAcknowledgedRank: rank })
const liveness = (rank: bigint) => new LivenessState({ filter: EMPTY, currentRank: rank, latestQuorumCertificate: qc(rank - 1n) })
const certified = (frameNumber: bigint, rank: bigint): CertifiedFrame<Frame> => ({ frame: { header: { frameNumber, rank } }, qc: qc(rank) })

/** An outbox whose ports log every persist and publish, in order. */
const harness = (stored: ReadonlyArray<StoredProposalKey> = [], gate?: Deferred.Deferred<void>) => {
  const log: Array<{ readonly op: "persist"; readonly writes: ReadonlyArray<Write> } | { readonly op: "publish"; readonly payload: number }> = []
  const outbox = new Outbox<Frame, Proposal>({
    persist: (writes) =>
      Effect.gen(function* () {
        if (gate !== undefined) yield* Deferred.await(gate)
        log.push({ op: "persist", writes })
      }),
    publish: (payload) => Effect.sync(() => log.push({ op: "publish", payload: payload[0] ?? -1 })),
    storedProposalKeys: () => stored,
  })
  return { outbox, log }
}

const describeWrite = (w: Write): string => {
  if (w._tag === "DeleteProposal") return `delete proposal ${w.key.rank}`
  const r = w.record
  switch (r._tag) {
    case "Committed":
      return `committed ${r.certified.frame.header.frameNumber}`
    case "Head":
      return `head ${r.frameNumber}`
    case "Proposal":
      return `proposal ${r.rank}`
    default:
      return r._tag.toLowerCase()
  }
}

const noCommit = () => Effect.void

describe("outbox: persist, then send", () => {
  test("a payload sent with a safety write is published only after the commit returned", async () => {
    const gate = await Effect.runPromise(Deferred.make<void>())
    const { outbox, log } = harness([], gate)
    outbox.putSafety(safety(3n))
    outbox.send(Uint8Array.of(7))
    const flushing = Effect.runFork(outbox.flush(noCommit))
    // The store has not answered yet (the flush is suspended on it): nothing may have left.
    while ((await Effect.runPromise(Fiber.status(flushing)))._tag !== "Suspended") await Effect.runPromise(Effect.yieldNow())
    expect(log).toEqual([])
    await Effect.runPromise(Deferred.succeed(gate, undefined))
    await Effect.runPromise(Fiber.join(flushing))
    expect(log.map((e) => e.op)).toEqual(["persist", "publish"])
  })

  test("a failed commit publishes nothing", async () => {
    const published: Array<Uint8Array> = []
    const outbox = new Outbox<Frame, Proposal>({
      persist: () => Effect.die("disk full"),
      publish: (payload) => Effect.sync(() => published.push(payload)),
      storedProposalKeys: () => [],
    })
    outbox.putSafety(safety(1n))
    outbox.send(Uint8Array.of(1))
    const exit = await Effect.runPromiseExit(outbox.flush(noCommit))
    expect(exit._tag).toBe("Failure")
    expect(published).toEqual([])
  })

  test("liveness and proposal writes alone do not force a commit: they ride along with the next one", () => {
    const { outbox, log } = harness()
    outbox.put({ _tag: "Liveness", state: liveness(2n) })
    outbox.put({ _tag: "Proposal", rank: 2n, selector: new Uint8Array(32), proposal: "p2" })
    outbox.send(Uint8Array.of(1))
    Effect.runSync(outbox.flush(noCommit))
    expect(log).toEqual([{ op: "publish", payload: 1 }])
    outbox.putSafety(safety(2n))
    Effect.runSync(outbox.flush(noCommit))
    const persisted = log[1]
    expect(persisted?.op).toBe("persist")
    if (persisted?.op !== "persist") return
    expect(persisted.writes.map(describeWrite).sort()).toEqual(["liveness", "proposal 2", "safety"])
  })

  test("a later write of the same row replaces the earlier one", () => {
    const { outbox, log } = harness()
    outbox.putSafety(safety(1n))
    outbox.putSafety(safety(5n))
    Effect.runSync(outbox.flush(noCommit))
    const persisted = log[0]
    if (persisted?.op !== "persist") throw new Error("expected a commit")
    expect(persisted.writes).toHaveLength(1)
    const only = persisted.writes[0]
    expect(only?._tag === "Put" && only.record._tag === "Safety" ? only.record.state.highestVotedParentRank : undefined).toBe(5n)
  })

  test("committed frames write each frame and the head, drop proposals up to the head's rank, and reach afterCommit after the commit", () => {
    const stored: ReadonlyArray<StoredProposalKey> = [
      { rank: 3n, selector: new Uint8Array(32) },
      { rank: 9n, selector: new Uint8Array(32) },
    ]
    const { outbox, log } = harness(stored)
    outbox.put({ _tag: "Proposal", rank: 4n, selector: Uint8Array.of(4), proposal: "p4" })
    outbox.put({ _tag: "Proposal", rank: 8n, selector: Uint8Array.of(8), proposal: "p8" })
    outbox.commitFrames([certified(1n, 3n), certified(2n, 5n)])
    const seen: Array<string> = []
    Effect.runSync(
      outbox.flush((frames) => Effect.sync(() => seen.push(`after ${log.length} log entries: ${frames.map((f) => f.frame.header.frameNumber).join(",")}`))),
    )
    const persisted = log[0]
    if (persisted?.op !== "persist") throw new Error("expected a commit")
    expect(persisted.writes.map(describeWrite).sort()).toEqual(["committed 1", "committed 2", "delete proposal 3", "delete proposal 4", "head 2", "proposal 8"])
    expect(seen).toEqual(["after 1 log entries: 1,2"])
    // Nothing is pending any more: the next flush commits nothing.
    Effect.runSync(outbox.flush(noCommit))
    expect(log).toHaveLength(1)
  })
})
