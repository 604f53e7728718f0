// The commit checks, once the faults have stopped: every acknowledged bundle must end committed on every
// node (the network is given time to settle and restarted nodes to catch up), at one frame number
// everywhere, and no node's shard may count more committed bundles than were ever submitted.
import { Effect, Option } from "effect"
import type { Cluster } from "./cluster.ts"
import type { Acknowledged } from "./load.ts"

const POLL_MS = 1_000

export interface CommitReport {
  /** acknowledged and committed on every node */
  readonly committed: number
  /** acknowledged, not committed on every node by the end of the settle window */
  readonly lost: ReadonlyArray<{ readonly id: string; readonly statuses: ReadonlyArray<string> }>
  /** committed at different frame numbers on different nodes, or counted more than once by a shard */
  readonly duplicated: ReadonlyArray<string>
}

/** Per node, the frame number each acknowledged id committed at, once it has. */
type Seen = ReadonlyArray<Map<string, number>>

const pollRound = (cluster: Cluster, acks: ReadonlyArray<Acknowledged>, seen: Seen): Effect.Effect<void> =>
  Effect.forEach(
    seen,
    (done, node) =>
      Effect.forEach(
        acks.filter((a) => !done.has(a.id)),
        (a) =>
          Effect.map(Effect.option(cluster.api(node).bundleStatus(a.id)), (s) => {
            if (Option.isSome(s) && s.value.status === "committed") done.set(a.id, s.value.frameNumber ?? -1)
          }),
        { concurrency: 4, discard: true },
      ),
    { concurrency: "unbounded", discard: true },
  )

export const checkCommits = (
  cluster: Cluster,
  acks: ReadonlyArray<Acknowledged>,
  domain: string,
  submitted: number,
  settleMs: number,
): Effect.Effect<CommitReport> =>
  Effect.gen(function* () {
    const seen: Seen = Array.from({ length: cluster.size }, () => new Map<string, number>())
    const deadline = Date.now() + settleMs
    while (true) {
      yield* pollRound(cluster, acks, seen)
      if (seen.every((done) => done.size === acks.length) || Date.now() >= deadline) break
      yield* Effect.sleep(POLL_MS)
    }
    const lost = yield* Effect.forEach(
      acks.filter((a) => !seen.every((done) => done.has(a.id))),
      (a) =>
        Effect.map(
          Effect.forEach(seen, (_, node) => Effect.option(cluster.api(node).bundleStatus(a.id))),
          (answers) => ({
            id: a.id,
            statuses: answers.map((s, node) => `node ${node}: ${Option.match(s, { onNone: () => "no answer", onSome: (v) => v.status })}`),
          }),
        ),
    )
    const split = acks.filter((a) => new Set(seen.flatMap((done) => (done.has(a.id) ? [done.get(a.id)] : []))).size > 1).map((a) => a.id)
    // bundlesCommitted counts per worker incarnation, so it may be lower than the truth, never higher:
    // the deploy plus every submission (acknowledged or not) is the most a shard can have committed.
    const overcounted = yield* Effect.forEach(seen, (_, node) =>
      Effect.map(Effect.option(cluster.api(node).shards), (shards) =>
        Option.match(shards, {
          onNone: () => [],
          onSome: (views) =>
            views
              .filter((v) => v.address === domain && v.bundlesCommitted > submitted + 1)
              .map((v) => `node ${node} shard ${domain.slice(0, 12)}… counts ${v.bundlesCommitted} committed of ${submitted + 1} ever submitted`),
        }),
      ),
    )
    return {
      committed: acks.length - lost.length,
      lost,
      duplicated: [...split.map((id) => `bundle ${id} committed at different frames: ${seen.map((d) => d.get(id) ?? "-").join(",")}`), ...overcounted.flat()],
    }
  })
