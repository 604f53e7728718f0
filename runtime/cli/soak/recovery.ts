// When a node counts as back after a fault: its API answers, every data worker runs (none of them one
// the fault killed), its worker covers the soak's shard again, and its committed global head is within
// a couple of frames of the highest head among the other nodes. Only then may the
// next fault start: a node that is up but still syncing does not vote, and taking a second node down
// meanwhile would leave 4 nodes without a quorum.
import { Effect, Option } from "effect"
import type { Cluster } from "./cluster.ts"

const CAUGHT_UP_FRAMES = 2
const POLL_MS = 500

export interface BackWhen {
  /** the soak's app shard (hex), which the node must cover again */
  readonly shard: string
  /** worker pids the fault killed: the node is not back while it still lists one */
  readonly killed: ReadonlyArray<number>
}

const caughtUp = (cluster: Cluster, index: number, when: BackWhen): Effect.Effect<boolean> =>
  Effect.gen(function* () {
    const api = cluster.api(index)
    if (!cluster.isUp(index) || !(yield* api.health)) return false
    const workers = yield* Effect.option(api.workers)
    if (Option.isNone(workers) || workers.value.some((w) => w.state !== "running" || (w.pid !== null && when.killed.includes(w.pid)))) return false
    const shards = yield* Effect.option(api.shards)
    if (Option.isNone(shards) || !shards.value.some((s) => s.address === when.shard)) return false
    const mine = yield* Effect.option(api.head)
    if (Option.isNone(mine)) return false
    const others = yield* Effect.forEach(
      Array.from({ length: cluster.size }, (_, i) => i).filter((i) => i !== index && cluster.isUp(i)),
      (i) => Effect.option(cluster.api(i).head),
      { concurrency: "unbounded" },
    )
    const best = Math.max(0, ...others.flatMap((h) => (Option.isSome(h) ? [h.value.frameNumber] : [])))
    return mine.value.frameNumber + CAUGHT_UP_FRAMES >= best
  })

/** true once the node is back, false if it is not within `timeoutMs`. */
export const waitRecovered = (cluster: Cluster, index: number, when: BackWhen, timeoutMs: number): Effect.Effect<boolean> =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (yield* caughtUp(cluster, index, when)) return true
      yield* Effect.sleep(POLL_MS)
    }
    return false
  })
