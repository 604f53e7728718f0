// Committees by frame (app D-APP-18) on a 5-node devnet: the committee source switches at frame K on
// every node alike, as the registry's CommitteeAt does after a join or a leave. A prover that joins at K
// votes and leads only from K on, and the QCs of frames from K on carry its bit in a 5-member bitmask; a
// prover removed at K no longer counts. A committee the source has not applied yet holds the chain at
// the boundary (proposals wait, nobody is blamed) until the source moves.
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import type { CommitteeSource } from "../../actors/consensus/core/committee-source.ts"
import type { GlobalFrame } from "../../actors/consensus/core/messages/global-frame.ts"
import type { ActiveProver } from "../../actors/consensus/core/prover-ring.ts"
import { bitmaskIndices } from "../../actors/consensus/core/signer-bitmask.ts"
import type { CertifiedFrame } from "../../actors/consensus/global/persistence.ts"
import type { Devnet } from "quilbun/testing"
import { allAtLeast, chainsConsistent, runDevnet } from "./helpers.ts"

const NODES = 5
const K = 6n
const TARGET = K + 12n

/** `before` for frames below K, `after` from K on: a pure function of the frame number, the same on every node. */
const switchAt = (before: ReadonlyArray<ActiveProver>, after: ReadonlyArray<ActiveProver>): CommitteeSource<GlobalFrame> => ({
  committeeOf: (subject) => Effect.succeed(Either.right(subject.frameNumber < K ? before : after)),
})

const without = (provers: ReadonlyArray<ActiveProver>, address: Uint8Array) => provers.filter((p) => bytesToHex(p.address) !== bytesToHex(address))

interface FrameSigners {
  readonly frameNumber: bigint
  readonly prover: string
  /** Addresses (hex) of the QC's signers, read with the frame's committee. */
  readonly signers: ReadonlyArray<string>
  readonly maxIndex: number
}

/** Each committed frame's proposer and QC signers, the bitmask read against `committeeOf(frame)`. */
const signersOf = (commits: ReadonlyArray<CertifiedFrame>, committeeOf: (frameNumber: bigint) => ReadonlyArray<ActiveProver>): Array<FrameSigners> =>
  commits.map((c) => {
    const committee = committeeOf(c.frame.header.frameNumber)
    const indices = bitmaskIndices(c.qc.aggregateSignature?.bitmask ?? new Uint8Array())
    for (const i of indices)
      if (committee[i] === undefined) throw new Error(`frame ${c.frame.header.frameNumber}: bit ${i} outside a ${committee.length}-member committee`)
    return {
      frameNumber: c.frame.header.frameNumber,
      prover: bytesToHex(c.frame.header.prover),
      signers: indices.map((i) => bytesToHex(committee[i]?.address ?? new Uint8Array())),
      maxIndex: Math.max(-1, ...indices),
    }
  })

const proposalRejections = (devnet: Devnet) => Effect.map(devnet.statuses, (all) => all.flatMap((s) => s.rejections.filter((r) => r.kind === "proposal")))

describe("committees switch at a frame boundary (D-APP-18)", () => {
  test("a prover joining at frame K votes and leads only from K on; QCs from K carry 5-member bitmasks; all nodes agree", async () => {
    let joiner = ""
    const r = await runDevnet(
      {
        nodes: NODES,
        seed: 161,
        // The last prover by address (index 4 of five) is outside the committee until K.
        committees: (provers) => switchAt(without(provers, joinerAddress(provers)), provers),
      },
      (devnet) =>
        Effect.gen(function* () {
          joiner = bytesToHex(joinerAddress(devnet.committee))
          const reached = yield* devnet.runUntil(allAtLeast(devnet, TARGET), { maxMs: 180_000 })
          return {
            reached,
            consistent: yield* chainsConsistent(devnet),
            commits: devnet.nodes[0]?.commits ?? [],
            committee: devnet.committee,
            rejected: yield* proposalRejections(devnet),
          }
        }),
    )
    expect(r.reached).toBe(true)
    expect(r.consistent).toBe(true)
    expect(r.rejected).toEqual([])
    const four = r.committee.filter((p) => bytesToHex(p.address) !== joiner)
    const frames = signersOf(r.commits, (n) => (n < K ? four : r.committee))
    const before = frames.filter((f) => f.frameNumber < K)
    const after = frames.filter((f) => f.frameNumber >= K)
    expect(before.length).toBeGreaterThan(0)
    expect(after.length).toBeGreaterThan(0)
    // Before K the joiner neither signs nor leads; the bitmasks name four members.
    expect(before.some((f) => f.signers.includes(joiner) || f.prover === joiner)).toBe(false)
    expect(Math.max(...before.map((f) => f.maxIndex))).toBeLessThan(4)
    // From K on its votes count and it takes its turns as leader.
    expect(after.filter((f) => f.signers.includes(joiner)).length).toBeGreaterThan(0)
    expect(after.some((f) => f.prover === joiner)).toBe(true)
    // The joiner sorts last: bit 4 of a 5-member bitmask.
    expect(after.some((f) => f.maxIndex === 4)).toBe(true)
    // Equal-weight quorum of five is four signers (D-GC-1).
    expect(after.every((f) => f.signers.length >= 4)).toBe(true)
  }, 600_000)

  test("a prover removed at frame K no longer counts: never a signer nor a leader from K on, and still follows", async () => {
    let removed = ""
    const r = await runDevnet(
      {
        nodes: NODES,
        seed: 162,
        committees: (provers) => switchAt(provers, without(provers, joinerAddress(provers))),
      },
      (devnet) =>
        Effect.gen(function* () {
          removed = bytesToHex(joinerAddress(devnet.committee))
          const reached = yield* devnet.runUntil(allAtLeast(devnet, TARGET), { maxMs: 180_000 })
          return {
            reached,
            consistent: yield* chainsConsistent(devnet),
            commits: devnet.nodes[0]?.commits ?? [],
            committee: devnet.committee,
            rejected: yield* proposalRejections(devnet),
          }
        }),
    )
    expect(r.reached).toBe(true)
    expect(r.consistent).toBe(true)
    expect(r.rejected).toEqual([])
    const four = r.committee.filter((p) => bytesToHex(p.address) !== removed)
    const frames = signersOf(r.commits, (n) => (n < K ? r.committee : four))
    const before = frames.filter((f) => f.frameNumber < K)
    const after = frames.filter((f) => f.frameNumber >= K)
    expect(before.some((f) => f.signers.includes(removed))).toBe(true)
    expect(after.length).toBeGreaterThan(0)
    expect(after.some((f) => f.signers.includes(removed) || f.prover === removed)).toBe(false)
    expect(Math.max(...after.map((f) => f.maxIndex))).toBeLessThan(4)
    // Equal-weight quorum of four is three signers.
    expect(after.every((f) => f.signers.length >= 3)).toBe(true)
  }, 600_000)

  test("a committee not applied yet holds the chain at the boundary, without blame, until the source moves", async () => {
    let applied = false
    const r = await runDevnet(
      {
        nodes: NODES,
        seed: 163,
        committees: (provers): CommitteeSource<GlobalFrame> => ({
          committeeOf: (s) => Effect.sync(() => (s.frameNumber < K || applied ? Either.right(provers) : Either.left(`frame ${s.frameNumber} not applied`))),
        }),
      },
      (devnet) =>
        Effect.gen(function* () {
          // Frames below K commit; K cannot be proposed or validated, so K − 2 (finalized by K − 1's QC) is the most.
          const early = yield* devnet.runUntil(allAtLeast(devnet, K), { maxMs: 30_000 })
          const held = yield* devnet.statuses
          applied = true
          const reached = yield* devnet.runUntil(allAtLeast(devnet, TARGET), { maxMs: 180_000 })
          return { early, held, reached, consistent: yield* chainsConsistent(devnet), rejected: yield* proposalRejections(devnet) }
        }),
    )
    expect(r.early).toBe(false)
    expect(r.held.every((s) => s.committedHead.frameNumber < K && s.committedHead.frameNumber >= K - 3n)).toBe(true)
    expect(r.reached).toBe(true)
    expect(r.consistent).toBe(true)
    expect(r.rejected).toEqual([])
  }, 600_000)
})

/** The prover the tests move in or out: the last by address. */
const joinerAddress = (provers: ReadonlyArray<ActiveProver>): Uint8Array => {
  const last = provers[provers.length - 1]
  if (last === undefined) throw new Error("no provers")
  return last.address
}
