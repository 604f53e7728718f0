// Effect Metrics of the shard relay. Labels are bounded: direction, channel, verdict (never the shard
// or the peer, which come from the network).
import { Metric, MetricLabel } from "effect"
import type { ShardChannel } from "./protocol.ts"

const relayMessagesTotal = Metric.counter("quilbun_shard_relay_messages_total", {
  description: "Shard messages relayed by the master: to_worker (arrived from the network), from_worker (published); channel request counts requests/responses",
  incremental: true,
})
const relayVerdictsTotal = Metric.counter("quilbun_shard_relay_verdicts_total", {
  description: "Verdicts of workers on relayed shard messages (unanswered: the worker did not answer in time)",
  incremental: true,
})
export const relayedShardsGauge = Metric.gauge("quilbun_shard_relay_shards", {
  description: "Shards whose traffic the master currently relays to a data worker",
})

export type RelayDirection = "to_worker" | "from_worker"
export type RelayVerdict = "accept" | "ignore" | "reject" | "unanswered"

export const countRelayed = (direction: RelayDirection, channel: ShardChannel | "request"): void =>
  relayMessagesTotal.unsafeUpdate(1, [MetricLabel.make("direction", direction), MetricLabel.make("channel", channel)])

export const countVerdict = (verdict: RelayVerdict): void => relayVerdictsTotal.unsafeUpdate(1, [MetricLabel.make("verdict", verdict)])
