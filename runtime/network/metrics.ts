// Effect Metrics for the p2p host. libp2p callbacks and the pubsub count in plain fields; the host
// flushes the deltas here periodically (the same pattern as runtime/kernel/actor/metrics.ts), since those
// callbacks run outside any Effect.
import { Metric, MetricLabel } from "effect"
import type { BitmaskPubsubStats, SliceTraffic } from "./bitmask-pubsub.ts"
import type { DedupeCounters } from "./connection-dedupe.ts"

export const connectionsGauge = Metric.gauge("quilbun_p2p_connections", {
  description: "Open libp2p connections",
})
const peersGauge = Metric.gauge("quilbun_p2p_peers", {
  description: "Connected peers",
})
export const duplicateConnectionsTotal = Metric.counter("quilbun_p2p_duplicate_connections_total", {
  description: "Duplicate connections to one peer closed by the one-connection-per-pair rule",
})
const foreignNetworkDisconnectsTotal = Metric.counter("quilbun_p2p_foreign_network_disconnects_total", {
  description: "Peers disconnected because identify announced another quilbun network",
})
export const pubsubMessagesTotal = Metric.counter("quilbun_p2p_pubsub_messages_total", {
  description: "Pubsub messages by outcome (delivered, rejected, ignored, malformed, filtered, ...)",
})
const subscribedSlicesGauge = Metric.gauge("quilbun_p2p_subscribed_slices", {
  description: "Bitmask slices (gossipsub topics) currently subscribed",
})

const bitmaskMessagesTotal = Metric.counter("quilbun_p2p_bitmask_messages_total", {
  description: "Pubsub messages per bitmask slice by direction (in: reached our validator, out: own publishes)",
})
export const bitmaskValidationTotal = Metric.counter("quilbun_p2p_bitmask_validation_total", {
  description: "Pubsub validation outcomes (accept, ignore, reject) per bitmask slice",
})
export const peerScoreGauge = Metric.gauge("quilbun_p2p_peer_score", {
  description: "gossipsub score of each connected peer (graylisted below -2500)",
})

export interface P2PSample {
  readonly connections: number
  readonly peers: number
  readonly dedupe: Readonly<DedupeCounters>
  readonly foreignNetworkDisconnects: number
  readonly pubsub: Readonly<BitmaskPubsubStats>
  readonly subscribedSlices: number
  /** per slice hex; optional so samples without pubsub traffic stay small */
  readonly sliceTraffic?: ReadonlyMap<string, Readonly<SliceTraffic>>
  /** connected peers' current scores */
  readonly peerScores?: ReadonlyArray<readonly [peer: string, score: number]>
}

const sliceFields = [
  ["received", "direction", "in"],
  ["published", "direction", "out"],
  ["accepted", "outcome", "accept"],
  ["ignored", "outcome", "ignore"],
  ["rejected", "outcome", "reject"],
] as const

const outcomeLabels = (outcome: string) => [MetricLabel.make("outcome", outcome)]

/** Remembers what was flushed so counters only receive deltas. */
export class P2PMetrics {
  private flushedDuplicates = 0
  private flushedForeign = 0
  private readonly flushedOutcomes = new Map<string, number>()
  /** `<slice hex>/<field>` → value flushed */
  private readonly flushedSlices = new Map<string, number>()

  flush(sample: P2PSample): void {
    connectionsGauge.unsafeUpdate(sample.connections, [])
    peersGauge.unsafeUpdate(sample.peers, [])
    subscribedSlicesGauge.unsafeUpdate(sample.subscribedSlices, [])
    const duplicates = sample.dedupe.deniedNew + sample.dedupe.replacedExisting
    if (duplicates !== this.flushedDuplicates) {
      duplicateConnectionsTotal.unsafeUpdate(duplicates - this.flushedDuplicates, [])
      this.flushedDuplicates = duplicates
    }
    if (sample.foreignNetworkDisconnects !== this.flushedForeign) {
      foreignNetworkDisconnectsTotal.unsafeUpdate(sample.foreignNetworkDisconnects - this.flushedForeign, [])
      this.flushedForeign = sample.foreignNetworkDisconnects
    }
    for (const [outcome, value] of Object.entries(sample.pubsub)) {
      const flushed = this.flushedOutcomes.get(outcome) ?? 0
      if (value === flushed) continue
      pubsubMessagesTotal.unsafeUpdate(value - flushed, outcomeLabels(outcome))
      this.flushedOutcomes.set(outcome, value)
    }
    for (const [slice, traffic] of sample.sliceTraffic ?? []) {
      for (const [field, key, label] of sliceFields) {
        const id = `${slice}/${field}`
        const flushed = this.flushedSlices.get(id) ?? 0
        const value = traffic[field]
        if (value === flushed) continue
        const labels = [MetricLabel.make("bitmask", slice), MetricLabel.make(key, label)]
        ;(key === "direction" ? bitmaskMessagesTotal : bitmaskValidationTotal).unsafeUpdate(value - flushed, labels)
        this.flushedSlices.set(id, value)
      }
    }
    for (const [peer, score] of sample.peerScores ?? []) {
      peerScoreGauge.unsafeUpdate(score, [MetricLabel.make("peer", peer)])
    }
  }
}

/** Request/response exchanges of the libp2p transport by side (client, server) and outcome. */
const transportRequestsTotal = Metric.counter("quilbun_p2p_requests_total", {
  description: "Transport request/response exchanges by side and outcome (ok, rate-limited, too-large, timeout, ...)",
})

/** Transport publish/subscribe traffic by outcome (published, publish-failed, delivered, rejected). */
const transportMessagesTotal = Metric.counter("quilbun_p2p_transport_messages_total", {
  description: "Transport pubsub messages by outcome",
})

export const countTransportRequest = (side: "client" | "server", outcome: string): void =>
  transportRequestsTotal.unsafeUpdate(1, [MetricLabel.make("side", side), MetricLabel.make("outcome", outcome)])

export const countTransportMessage = (outcome: string): void => transportMessagesTotal.unsafeUpdate(1, outcomeLabels(outcome))

/** Catch-up sync (sync-progress.ts): the frame number reached and the peer's head being caught up to. */
export const syncFramesSyncedGauge = Metric.gauge("quilbun_p2p_sync_frames_synced", {
  description: "Committed frame number reached by the running (or last) long catch-up sync",
})
export const syncFramesTargetGauge = Metric.gauge("quilbun_p2p_sync_frames_target", {
  description: "Committed head frame number of the peer the running (or last) long catch-up sync follows",
})
