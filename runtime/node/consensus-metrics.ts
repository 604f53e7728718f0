// Global consensus metrics of the master (rendered by the admin API's Prometheus renderer).
import { Metric } from "effect"

export const headFrameNumber = Metric.gauge("quilbun_consensus_head_frame_number", {
  description: "frame number of the committed global head",
})

export const currentRank = Metric.gauge("quilbun_consensus_rank", {
  description: "current consensus rank (view) of this node",
})

/** From header timestamps, so it measures the chain's pace rather than this process's scheduling. */
export const frameIntervalSeconds = Metric.gauge("quilbun_consensus_frame_interval_seconds", {
  description: "timestamp difference between the last two committed global frames",
})

export const timeoutsTotal = Metric.counter("quilbun_consensus_timeouts_total", {
  description: "rank timeouts this node signed (local pacemaker expiries)",
  incremental: true,
})
