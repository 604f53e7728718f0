// Converts Effect's metric registry snapshot (Metric.snapshot) into MetricFamily values.
// Counters → counter, gauges → gauge, histograms → histogram (cumulative le buckets + +Inf),
// summaries → summary (quantile label), frequencies → one counter sample per observed word.
import { Effect, Metric, MetricState, Option, type MetricPair } from "effect"
import type { MetricFamily, MetricType, Sample } from "./family.ts"
import { formatValue } from "./prometheus.ts"

const num = (value: number | bigint): number => (typeof value === "bigint" ? Number(value) : value)

interface Draft {
  name: string
  help: string
  type: MetricType
  samples: Array<Sample>
}

const labelsOf = (pair: MetricPair.MetricPair.Untyped): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const tag of pair.metricKey.tags) out[tag.key] = tag.value
  return out
}

const typeOf = (state: MetricState.MetricState.Untyped): MetricType | undefined => {
  if (MetricState.isCounterState(state) || MetricState.isFrequencyState(state)) return "counter"
  if (MetricState.isGaugeState(state)) return "gauge"
  if (MetricState.isHistogramState(state)) return "histogram"
  if (MetricState.isSummaryState(state)) return "summary"
  return undefined
}

const samplesOf = (state: MetricState.MetricState.Untyped, labels: Record<string, string>): Array<Sample> => {
  if (MetricState.isCounterState(state)) return [{ suffix: "", labels, value: num(state.count) }]
  if (MetricState.isGaugeState(state)) return [{ suffix: "", labels, value: num(state.value) }]
  if (MetricState.isFrequencyState(state)) {
    return Array.from(state.occurrences, ([word, n]) => ({ suffix: "" as const, labels: { ...labels, key: word }, value: n }))
  }
  if (MetricState.isHistogramState(state)) {
    const out: Array<Sample> = []
    let sawInf = false
    for (const [bound, cumulative] of state.buckets) {
      if (bound === Number.POSITIVE_INFINITY) sawInf = true
      out.push({ suffix: "_bucket", labels: { ...labels, le: formatValue(bound) }, value: cumulative })
    }
    if (!sawInf) out.push({ suffix: "_bucket", labels: { ...labels, le: "+Inf" }, value: state.count })
    out.push({ suffix: "_sum", labels, value: state.sum }, { suffix: "_count", labels, value: state.count })
    return out
  }
  if (MetricState.isSummaryState(state)) {
    const out: Array<Sample> = state.quantiles.map(([q, v]) => ({
      suffix: "" as const,
      labels: { ...labels, quantile: String(q) },
      value: Option.getOrElse(v, () => Number.NaN),
    }))
    out.push({ suffix: "_sum", labels, value: state.sum }, { suffix: "_count", labels, value: state.count })
    return out
  }
  return []
}

/** Families from a snapshot; metrics sharing a name (different tags) form one family. */
export const familiesFromSnapshot = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): Array<MetricFamily> => {
  const byName = new Map<string, Draft>()
  for (const pair of pairs) {
    // Effect's own fiber metrics (runtime-metrics flag) are noisy and mis-typed (active fibers is a counter).
    if (pair.metricKey.name.startsWith("effect_fiber_")) continue
    const type = typeOf(pair.metricState)
    if (type === undefined) continue
    const name = pair.metricKey.name
    const help = Option.getOrElse(pair.metricKey.description, () => name)
    let draft = byName.get(name)
    if (draft === undefined) {
      draft = { name, help, type, samples: [] }
      byName.set(name, draft)
    } else if (draft.type !== type) {
      continue // one TYPE per family: a clashing metric under the same name is left out
    }
    draft.samples.push(...samplesOf(pair.metricState, labelsOf(pair)))
  }
  return Array.from(byName.values())
}

/** This process's metrics as families. */
export const snapshotFamilies: Effect.Effect<Array<MetricFamily>> = Effect.map(Metric.snapshot, familiesFromSnapshot)
