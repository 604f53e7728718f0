// Per-shard metrics of a worker's app shards (issue: app shards, "metrics per shard"): the executed head,
// the consensus rank, the mempool depth and bundle outcomes, each tagged with the shard address, so the
// master's /metrics (which merges every worker's) shows every shard this node covers.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Metric } from "effect"

const head = Metric.gauge("quilbun_app_shard_head_frame", { description: "newest finalized and executed app frame, per shard" })
const rank = Metric.gauge("quilbun_app_shard_rank", { description: "the shard consensus' current rank" })
const mempool = Metric.gauge("quilbun_app_shard_mempool_bundles", { description: "bundles waiting in the shard's mempool" })
const halted = Metric.gauge("quilbun_app_shard_halted", { description: "1 while the shard is halted: fewer provers cover it than a quorum needs" })
const bundles = Metric.counter("quilbun_app_shard_bundles_total", { description: "bundles decided by the shard, by outcome", incremental: true })

const tag = (metric: Metric.Metric.Gauge<number>, shard: Uint8Array) => Metric.tagged(metric, "shard", bytesToHex(shard))

export const recordShardProgress = (shard: Uint8Array, frameNumber: bigint, mempoolDepth: number) =>
  Effect.all([Metric.set(tag(head, shard), Number(frameNumber)), Metric.set(tag(mempool, shard), mempoolDepth)], { discard: true })

export const recordShardRank = (shard: Uint8Array, currentRank: bigint) => Metric.set(tag(rank, shard), Number(currentRank))

export const countShardBundles = (shard: Uint8Array, outcome: "committed" | "rejected", n: number) =>
  n === 0 ? Effect.void : Metric.incrementBy(Metric.tagged(Metric.tagged(bundles, "shard", bytesToHex(shard)), "outcome", outcome), n)

export const recordShardHalted = (shard: Uint8Array, isHalted: boolean) => Metric.set(tag(halted, shard), isHalted ? 1 : 0)
