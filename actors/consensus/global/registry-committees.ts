// The global chain's committees from the prover registry (app D-APP-18, registry D-REG-8), instead of the
// registry's set at start for every frame (D-GC-13). Frame N is voted on by
// `CommitteeAt(global, A.frameNumber − GLOBAL_COMMITTEE_LAG)`, A the newest ancestor N's branch finalizes
// (the D-APP-1 walk: at or below N's parent's parent, with a child of rank A.rank + 1 on the branch;
// genesis when none). Every node computes the same A for N whatever else it has seen; A is committed on a
// node once it checked N's parent QC, and the lag keeps A − lag below the registry's cursor, which follows
// committed frames a message behind. A registry that has not applied it answers Left (the engine waits).
import { Effect, Either } from "effect"
import type { FrameBranch } from "../core/chain-kind.ts"
import type { CommitteeSource, CommitteeSubject } from "../core/committee-source.ts"
import type { GlobalFrame } from "../core/messages/global-frame.ts"
import type { ActiveProver } from "../core/prover-ring.ts"
import type { CommittedGlobalFrame } from "./shard-update-history.ts"

/** Committed frames between the finalized ancestor and the registry frame a committee is read at. */
const GLOBAL_COMMITTEE_LAG = 4n

/** Registry answers remembered, by registry frame (a committed frame's committee never changes). */
const REMEMBERED = 64

/** The registry's `CommitteeAt` for the global filter: the members sorted by address, or why not yet. */
export type CommitteeAtFrame = (frameNumber: bigint) => Effect.Effect<Either.Either<ReadonlyArray<ActiveProver>, string>>

export const registryCommitteeSource = (params: {
  readonly committeeAt: CommitteeAtFrame
  /** Committed frames by number, for the walk below the engine's Forks root. */
  readonly committedFrame: CommittedGlobalFrame
}): CommitteeSource<GlobalFrame> => {
  const answers = new Map<bigint, ReadonlyArray<ActiveProver>>()

  /** A frame by selector from the branch; below it the committed chain, where frame n's parent is n − 1. */
  const parentOf = (child: GlobalFrame, branch: FrameBranch<GlobalFrame>): Effect.Effect<GlobalFrame | undefined> => {
    const held = branch.frame(child.header.parentSelector)
    if (held !== undefined || child.header.frameNumber === 0n) return Effect.succeed(held)
    return Effect.map(params.committedFrame(child.header.frameNumber - 1n), (c) => c?.frame)
  }

  /** A's frame number for a child of `parent`; undefined when the walk leaves what this node holds. */
  const finalizedAncestor = (parent: GlobalFrame, branch: FrameBranch<GlobalFrame>) =>
    Effect.gen(function* () {
      if (parent.header.frameNumber === 0n) return 0n
      let child = parent
      for (;;) {
        // Genesis is no committed row: frame 1's parent is it, whatever the ranks.
        if (child.header.frameNumber === 1n) return 0n
        const candidate = yield* parentOf(child, branch)
        if (candidate === undefined) return undefined
        if (child.header.rank === candidate.header.rank + 1n || candidate.header.frameNumber === 0n) return candidate.header.frameNumber
        child = candidate
      }
    })

  const parentFor = (subject: CommitteeSubject<GlobalFrame>, branch: FrameBranch<GlobalFrame>): Effect.Effect<GlobalFrame | undefined> => {
    if (subject.parent !== undefined) return Effect.succeed(subject.parent)
    if (subject.frame !== undefined) return parentOf(subject.frame, branch)
    return Effect.succeed(undefined)
  }

  return {
    committeeOf: (subject, branch) =>
      Effect.gen(function* () {
        if (subject.frameNumber === 0n) return yield* read(0n)
        const parent = yield* parentFor(subject, branch)
        if (parent === undefined) return Either.left(`frame ${subject.frameNumber}: its branch is not held here`)
        const ancestor = yield* finalizedAncestor(parent, branch)
        if (ancestor === undefined) return Either.left(`frame ${subject.frameNumber}: its finalized ancestor is not held here`)
        const at = ancestor > GLOBAL_COMMITTEE_LAG ? ancestor - GLOBAL_COMMITTEE_LAG : 0n
        return yield* read(at)
      }),
  }

  function read(at: bigint): Effect.Effect<Either.Either<ReadonlyArray<ActiveProver>, string>> {
    const known = answers.get(at)
    if (known !== undefined) return Effect.succeed(Either.right(known))
    return Effect.tap(params.committeeAt(at), (answer) =>
      Effect.sync(() => {
        if (Either.isLeft(answer)) return
        answers.set(at, answer.right)
        for (const old of answers.keys()) {
          if (answers.size <= REMEMBERED) break
          answers.delete(old)
        }
      }),
    )
  }
}
