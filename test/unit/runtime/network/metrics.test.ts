import { describe, expect, test } from "bun:test"
import { Effect, Metric } from "effect"
import type { BitmaskPubsubStats } from "../../../../runtime/network/bitmask-pubsub.ts"
import { connectionsGauge, duplicateConnectionsTotal, P2PMetrics, pubsubMessagesTotal, type P2PSample } from "../../../../runtime/network/metrics.ts"

const stats = (overrides: Partial<BitmaskPubsubStats> = {}): BitmaskPubsubStats => ({
  delivered: 0,
  notSubscribedToAllSlices: 0,
  noMatchingSubscription: 0,
  malformed: 0,
  rejected: 0,
  ignored: 0,
  duplicate: 0,
  handlerFailures: 0,
  loopback: 0,
  ...overrides,
})

const sample = (overrides: Partial<P2PSample> = {}): P2PSample => ({
  connections: 0,
  peers: 0,
  dedupe: { deniedNew: 0, replacedExisting: 0 },
  foreignNetworkDisconnects: 0,
  pubsub: stats(),
  subscribedSlices: 0,
  ...overrides,
})

const counter = (metric: Metric.Metric.Counter<number>) => Effect.runSync(Metric.value(metric)).count
const delivered = pubsubMessagesTotal.pipe(Metric.tagged("outcome", "delivered"))
const rejected = pubsubMessagesTotal.pipe(Metric.tagged("outcome", "rejected"))

describe("P2PMetrics", () => {
  test("counters receive only the deltas since the last flush", () => {
    const metrics = new P2PMetrics()
    const before = { delivered: counter(delivered), rejected: counter(rejected), dup: counter(duplicateConnectionsTotal) }
    metrics.flush(sample({ pubsub: stats({ delivered: 5, rejected: 1 }), dedupe: { deniedNew: 1, replacedExisting: 0 } }))
    metrics.flush(sample({ pubsub: stats({ delivered: 7, rejected: 1 }), dedupe: { deniedNew: 1, replacedExisting: 1 } }))
    expect(counter(delivered) - before.delivered).toBe(7)
    expect(counter(rejected) - before.rejected).toBe(1)
    expect(counter(duplicateConnectionsTotal) - before.dup).toBe(2)
  })

  test("gauges take the latest value", () => {
    const metrics = new P2PMetrics()
    metrics.flush(sample({ connections: 3 }))
    metrics.flush(sample({ connections: 2 }))
    expect(Effect.runSync(Metric.value(connectionsGauge)).value).toBe(2)
  })
})
