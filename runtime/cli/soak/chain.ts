// One chain: at every global frame number every node has committed, all nodes hold the same selector.
import { Effect, Option } from "effect"
import type { Cluster } from "./cluster.ts"

export interface ChainReport {
  /** the highest frame every node has committed */
  readonly commonHead: number
  /** frame numbers at which nodes disagree, with each node's selector */
  readonly forks: ReadonlyArray<string>
}

export const checkChain = (cluster: Cluster): Effect.Effect<ChainReport> =>
  Effect.gen(function* () {
    const nodes = Array.from({ length: cluster.size }, (_, i) => i)
    const heads = yield* Effect.forEach(nodes, (i) => Effect.option(cluster.api(i).head), { concurrency: "unbounded" })
    const commonHead = Math.min(...heads.map((h) => Option.match(h, { onNone: () => 0, onSome: (v) => v.frameNumber })))
    const heights = Array.from({ length: commonHead }, (_, i) => i + 1)
    const forks = yield* Effect.forEach(
      heights,
      (n) =>
        Effect.map(
          Effect.forEach(nodes, (i) => Effect.option(cluster.api(i).frameSelector(n))),
          (selectors): ReadonlyArray<string> => {
            // A frame a node cannot serve is no evidence of a fork; two different selectors are.
            const known = selectors.flatMap((s) => (Option.isSome(s) ? [s.value] : []))
            return new Set(known).size > 1
              ? [`frame ${n}: ${selectors.map((s, i) => `node ${i} ${Option.match(s, { onNone: () => "-", onSome: (v) => v.slice(0, 16) })}`).join(", ")}`]
              : []
          },
        ),
      { concurrency: 4 },
    )
    return { commonHead, forks: forks.flat() }
  })
