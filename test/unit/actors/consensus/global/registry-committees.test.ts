// The global chain's committee source (D-GC-21): frame N asks the registry at A − 4, A the newest ancestor
// N's branch finalizes (walking Forks, then the committed chain by number); "not applied yet" is passed on,
// not remembered.
import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import type { FrameBranch } from "../../../../../actors/consensus/core/chain-kind.ts"
import type { CommitteeSubject } from "../../../../../actors/consensus/core/committee-source.ts"
import { stubGlobalGenesisHeader } from "../../../../../actors/consensus/core/frame-production.ts"
import { GlobalFrame } from "../../../../../actors/consensus/core/messages/global-frame.ts"
import { GlobalFrameHeader } from "../../../../../actors/consensus/core/messages/global-frame-header.ts"
import { QuorumCertificate } from "../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import type { ActiveProver } from "../../../../../actors/consensus/core/prover-ring.ts"
import { registryCommitteeSource } from "../../../../../actors/consensus/global/registry-committees.ts"

const selectorOf = (n: bigint) => new Uint8Array(32).fill(Number(n) + 1)

/** Frames 0..ranks.length with frame n at ranks[n − 1] (genesis at rank 0), each the child of n − 1. */
const chain = (ranks: ReadonlyArray<bigint>): ReadonlyArray<GlobalFrame> =>
  [0n, ...ranks].map(
    (rank, i) =>
      new GlobalFrame({
        header: new GlobalFrameHeader({
          ...stubGlobalGenesisHeader({ timestamp: 1n, difficulty: 1 }),
          frameNumber: BigInt(i),
          rank,
          parentSelector: i === 0 ? new Uint8Array(32) : selectorOf(BigInt(i - 1)),
        }),
        requests: [],
      }),
  )

const prover = (at: bigint): ActiveProver => ({ address: new Uint8Array(32).fill(Number(at)), publicKey: new Uint8Array(585), seniority: 0n })

/** The engine holds frames above `root` (Forks); the committed chain (by number) is at or below it. */
const setup = (frames: ReadonlyArray<GlobalFrame>, root: bigint, appliedThrough: { value: bigint }) => {
  const asked: Array<bigint> = []
  const source = registryCommitteeSource({
    committeeAt: (at) =>
      Effect.sync(() => {
        asked.push(at)
        return at <= appliedThrough.value ? Either.right([prover(at)]) : Either.left(`frame ${at} not-yet-applied`)
      }),
    committedFrame: (n) =>
      Effect.sync(() =>
        n <= root
          ? frames.map((frame) => ({
              frame,
              qc: new QuorumCertificate({ filter: new Uint8Array(), rank: 0n, frameNumber: n, selector: selectorOf(n), timestamp: 0n }),
            }))[Number(n)]
          : undefined,
      ),
  })
  const branch: FrameBranch<GlobalFrame> = {
    frame: (selector) => frames.find((f) => f.header.frameNumber >= root && selectorOf(f.header.frameNumber).every((b, i) => b === selector[i])),
  }
  const ask = (subject: CommitteeSubject<GlobalFrame>) => Effect.runSync(source.committeeOf(subject, branch))
  return { asked, ask }
}

const frameAt = (frames: ReadonlyArray<GlobalFrame>, n: number): GlobalFrame => {
  const f = frames[n]
  if (f === undefined) throw new Error(`no frame ${n}`)
  return f
}

describe("global committees from the registry (D-GC-21)", () => {
  test("consecutive ranks: frame N reads the registry at (N − 2) − 4", () => {
    const frames = chain([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n])
    const { asked, ask } = setup(frames, 6n, { value: 100n })
    expect(ask({ frameNumber: 10n, frame: frameAt(frames, 10), parent: frameAt(frames, 9) })).toEqual(Either.right([prover(4n)]))
    // By the parent alone (a child of the newest QC's frame), as the frame itself would be.
    expect(ask({ frameNumber: 11n, parent: frameAt(frames, 10) })).toEqual(Either.right([prover(5n)]))
    expect(asked).toEqual([4n, 5n])
  })

  test("after timeouts the finalized ancestor is further down, through the committed chain", () => {
    // Frames 5..9 each follow a timed-out rank (ranks 6, 8, 10, 12, 14): the newest direct pair below 9 is 3 → 4.
    const frames = chain([1n, 2n, 3n, 4n, 6n, 8n, 10n, 12n, 14n, 15n])
    const { asked, ask } = setup(frames, 7n, { value: 100n })
    // Frame 10's parent 9 (rank 14) has no direct parent: the walk reaches 3 → 4 (ranks 3, 4), below the root.
    expect(ask({ frameNumber: 10n, frame: frameAt(frames, 10) })).toEqual(Either.right([prover(0n)]))
    // Frame 11's parent is frame 10 at rank 15, the direct child of 9: A = 9, read at 5.
    expect(ask({ frameNumber: 11n, parent: frameAt(frames, 10) })).toEqual(Either.right([prover(5n)]))
    expect(asked).toEqual([0n, 5n])
  })

  test("not applied yet is passed on and not remembered; an unknown branch is no answer; genesis reads frame 0", () => {
    const frames = chain([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n])
    const applied = { value: 3n }
    const { asked, ask } = setup(frames, 6n, applied)
    expect(Either.isLeft(ask({ frameNumber: 10n, parent: frameAt(frames, 9) }))).toBe(true)
    applied.value = 4n
    expect(ask({ frameNumber: 10n, parent: frameAt(frames, 9) })).toEqual(Either.right([prover(4n)]))
    expect(ask({ frameNumber: 10n, parent: frameAt(frames, 9) })).toEqual(Either.right([prover(4n)]))
    expect(asked).toEqual([4n, 4n])
    expect(Either.isLeft(ask({ frameNumber: 12n }))).toBe(true)
    expect(ask({ frameNumber: 0n })).toEqual(Either.right([prover(0n)]))
  })
})
