// Store metrics (Effect Metric): gauges refreshed from `stats` by whoever owns the store (the
// node assembly calls `recordStoreMetrics` periodically), and a commit counter updated per commit.
import { Effect, Metric } from "effect"
import { basename } from "node:path"
import type { StoreStats } from "./store.ts"

const entriesGauge = Metric.gauge("quilbun_store_entries", { description: "entries per bucket" })
const mapSizeGauge = Metric.gauge("quilbun_store_map_size_bytes", { description: "LMDB map size" })
const usedGauge = Metric.gauge("quilbun_store_used_bytes", { description: "LMDB pages in use, in bytes" })
const txnGauge = Metric.gauge("quilbun_store_last_txn_id", { description: "last committed LMDB transaction id" })
const commits = Metric.counter("quilbun_store_commits_total", { description: "store commits by outcome", incremental: true })

export const commitsTotal = (store: string, outcome: "ok" | "failed"): Effect.Effect<void> =>
  Metric.update(commits.pipe(Metric.tagged("store", store), Metric.tagged("outcome", outcome)), 1)

/** Publishes one stats snapshot; `store` label = the env's directory name (`master`, `worker-1`). */
export const recordStoreMetrics = (stats: StoreStats): Effect.Effect<void> => {
  const store = basename(stats.path)
  return Effect.all(
    [
      Metric.set(mapSizeGauge.pipe(Metric.tagged("store", store)), stats.mapSizeBytes),
      Metric.set(usedGauge.pipe(Metric.tagged("store", store)), stats.usedBytes),
      Metric.set(txnGauge.pipe(Metric.tagged("store", store)), stats.lastTxnId),
      ...Object.entries(stats.entries).map(([bucket, n]) => Metric.set(entriesGauge.pipe(Metric.tagged("store", store), Metric.tagged("bucket", bucket)), n)),
    ],
    { discard: true },
  )
}
