// The state every soak starts from: all nodes up and committing global frames, and the soak's app shard
// deployed, covered by every node and its deploy committed everywhere. Nothing is faulted yet; failing
// here means the devnet cannot make progress on this machine, not that a fault broke it.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Option } from "effect"
import type { SoakBundles } from "./bundles.ts"
import type { Cluster } from "./cluster.ts"
import { SoakSetupFailed } from "./errors.ts"

const FIRST_FRAME_MS = 180_000
const DEPLOY_MS = 240_000

const until = <A>(what: string, ms: number, check: Effect.Effect<Option.Option<A>>): Effect.Effect<A, SoakSetupFailed> =>
  Effect.gen(function* () {
    const deadline = Date.now() + ms
    while (Date.now() < deadline) {
      const v = yield* check
      if (Option.isSome(v)) return v.value
      yield* Effect.sleep(500)
    }
    return yield* new SoakSetupFailed({ reason: `timed out after ${ms / 1000} s waiting for ${what}` })
  })

const everyNode = (cluster: Cluster, ok: (i: number) => Effect.Effect<boolean>): Effect.Effect<Option.Option<true>> =>
  Effect.map(
    Effect.forEach(
      Array.from({ length: cluster.size }, (_, i) => i),
      ok,
      { concurrency: "unbounded" },
    ),
    (all) => (all.every(Boolean) ? Option.some(true as const) : Option.none()),
  )

export const prepareSoak = (cluster: Cluster, bundles: SoakBundles): Effect.Effect<void, SoakSetupFailed> =>
  Effect.gen(function* () {
    yield* Effect.forEach(
      Array.from({ length: cluster.size }, (_, i) => i),
      (i) => cluster.start(i),
      { concurrency: "unbounded", discard: true },
    )
    yield* until(
      "a committed global frame on every node",
      FIRST_FRAME_MS,
      everyNode(cluster, (i) => Effect.map(Effect.option(cluster.api(i).head), (h) => Option.isSome(h) && h.value.frameNumber >= 1)),
    )
    // The node's worker may answer 503 while it starts: retry until one node acknowledges the deploy.
    const accepted = yield* until(
      "a node to accept the deploy",
      DEPLOY_MS,
      Effect.map(
        Effect.option(cluster.api(0).submit(bundles.deploy)),
        Option.filter((a) => a.status !== "rejected"),
      ),
    )
    const domain = bytesToHex(bundles.domain)
    yield* until(
      `the deploy ${accepted.id.slice(0, 12)}… committed and shard ${domain.slice(0, 12)}… covered on every node`,
      DEPLOY_MS,
      everyNode(cluster, (i) =>
        Effect.gen(function* () {
          const status = yield* Effect.option(cluster.api(i).bundleStatus(accepted.id))
          const shards = yield* Effect.option(cluster.api(i).shards)
          return Option.isSome(status) && status.value.status === "committed" && Option.isSome(shards) && shards.value.some((s) => s.address === domain)
        }),
      ),
    )
  })
