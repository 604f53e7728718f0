// D-APP-1: frame A, whose post-state a child of `parent` carries, walks down the branch to the newest
// frame whose child on the branch has the next rank; genesis when no such pair exists.
import { expect, test } from "bun:test"
import { finalizedAncestor } from "../../../../../actors/consensus/app/finalized-ancestor.ts"
import { AppFrameHeader } from "../../../../../actors/consensus/core/messages/app-frame-header.ts"
import { AppShardFrame } from "../../../../../actors/consensus/core/messages/app-shard-frame.ts"

/** A frame whose "selector" is its frame number in byte 0 (the walk only follows parent selectors). */
const frame = (frameNumber: number, rank: number): AppShardFrame =>
  new AppShardFrame({
    header: new AppFrameHeader({
      address: new Uint8Array(32),
      frameNumber: BigInt(frameNumber),
      rank: BigInt(rank),
      timestamp: 1n,
      difficulty: 1,
      output: Uint8Array.of(frameNumber),
      parentSelector: Uint8Array.of(frameNumber - 1),
      requestsRoot: new Uint8Array(64),
      stateRoots: [],
      prover: new Uint8Array(32),
      feeMultiplierVote: 100n,
    }),
    requests: [],
  })

/** A chain with frame i at ranks[i] (frame 0 = genesis at rank 0). */
const chain = (ranks: ReadonlyArray<number>) => {
  const frames = ranks.map((rank, i) => frame(i, rank))
  const lookup = (selector: Uint8Array) => frames[selector[0] ?? -1]
  const ancestorFor = (parentNumber: number) => {
    const parent = frames[parentNumber]
    if (parent === undefined) throw new Error("no parent")
    return finalizedAncestor(parent, lookup)?.header.frameNumber
  }
  return { ancestorFor }
}

test("on consecutive ranks A is the grandparent; children of genesis or frame 1 use genesis", () => {
  const c = chain([0, 1, 2, 3, 4])
  expect(c.ancestorFor(0)).toBe(0n)
  expect(c.ancestorFor(1)).toBe(0n)
  expect(c.ancestorFor(2)).toBe(1n)
  expect(c.ancestorFor(4)).toBe(3n)
})

test("a timed-out rank between two frames moves A down to the newest direct pair", () => {
  // Frame 3 came after a TC (rank 5 after 3): frame 2 is not finalized by frame 3's QC.
  const c = chain([0, 1, 2, 3, 5, 6])
  expect(c.ancestorFor(4)).toBe(2n)
  expect(c.ancestorFor(5)).toBe(4n)
  // No direct pair at all above genesis: genesis.
  expect(chain([0, 2, 4, 6]).ancestorFor(3)).toBe(0n)
})

test("an unknown ancestor leaves A undefined", () => {
  const parent = frame(5, 9)
  expect(finalizedAncestor(parent, () => undefined)).toBeUndefined()
})
