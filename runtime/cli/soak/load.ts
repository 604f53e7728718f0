// The load generator: one write bundle at a time, round-robin over the nodes that are up, recording
// every acknowledged one (202 pending or committed). A submission that fails, times out or is answered
// otherwise (503 while a worker restarts, 202 rejected) is not acknowledged: the soak promises nothing
// about it, so it is neither committed nor lost.
import { Effect } from "effect"
import type { SoakBundles } from "./bundles.ts"
import type { Cluster } from "./cluster.ts"

/** One write per second: enough to have writes in flight through every fault without flooding a loaded machine. */
const INTERVAL_MS = 1_000

export interface Acknowledged {
  readonly id: string
  readonly seq: number
  /** the node that acknowledged it */
  readonly node: number
  readonly atMs: number
}

/** Written by the load fiber only, read once it has been interrupted. */
export interface LoadLedger {
  submitted: number
  readonly acknowledged: Array<Acknowledged>
  /** answered 202 with status rejected (e.g. no worker covered the shard at that moment) */
  refused: number
}

export const makeLedger = (): LoadLedger => ({ submitted: 0, acknowledged: [], refused: 0 })

/** Runs until interrupted. */
export const runLoad = (cluster: Cluster, bundles: SoakBundles, ledger: LoadLedger): Effect.Effect<never> =>
  Effect.gen(function* () {
    let seq = 0
    let next = 0
    while (true) {
      const up = Array.from({ length: cluster.size }, (_, i) => (next + i) % cluster.size).find((i) => cluster.isUp(i))
      if (up !== undefined) {
        next = up + 1
        seq++
        const bundle = yield* Effect.orDie(bundles.write(seq))
        // Counted before it is sent: the fiber may be interrupted while the request is in flight, and a
        // bundle the node received then may still commit (the "ever submitted" bound in commits.ts).
        ledger.submitted++
        const answer = yield* Effect.either(cluster.api(up).submit(bundle))
        if (answer._tag === "Right" && answer.right.status === "rejected") ledger.refused++
        else if (answer._tag === "Right") ledger.acknowledged.push({ id: answer.right.id, seq, node: up, atMs: Date.now() })
      }
      yield* Effect.sleep(INTERVAL_MS)
    }
  })
