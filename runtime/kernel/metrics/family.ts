// A process-neutral form of metrics: plain data that crosses the worker IPC boundary and that the
// Prometheus renderer consumes. Built from Effect's Metric.snapshot (effect-snapshot.ts).
import { Schema } from "effect"

export const MetricType = Schema.Literal("counter", "gauge", "histogram", "summary")
export type MetricType = typeof MetricType.Type

export const Sample = Schema.Struct({
  /** Appended to the family name: "" for counters/gauges, "_bucket" / "_sum" / "_count" otherwise. */
  suffix: Schema.Literal("", "_bucket", "_sum", "_count"),
  labels: Schema.Record({ key: Schema.String, value: Schema.String }),
  value: Schema.Number,
})
export type Sample = typeof Sample.Type

export const MetricFamily = Schema.Struct({
  name: Schema.String,
  help: Schema.String,
  type: MetricType,
  samples: Schema.Array(Sample),
})
export type MetricFamily = typeof MetricFamily.Type

export const MetricFamilies = Schema.Array(MetricFamily)

/** Adds `labels` to every sample (e.g. `core="2"` for a worker's families). */
export const withLabels = (families: ReadonlyArray<MetricFamily>, labels: Readonly<Record<string, string>>): ReadonlyArray<MetricFamily> =>
  families.map((f) => ({ ...f, samples: f.samples.map((s) => ({ ...s, labels: { ...s.labels, ...labels } })) }))

/**
 * Merges families from several processes: same name → one family (samples concatenated). A
 * family whose type disagrees with the first one seen under that name is dropped, since
 * Prometheus allows exactly one TYPE per family.
 */
export const mergeFamilies = (groups: ReadonlyArray<ReadonlyArray<MetricFamily>>): ReadonlyArray<MetricFamily> => {
  const byName = new Map<string, { name: string; help: string; type: MetricType; samples: Array<Sample> }>()
  for (const group of groups) {
    for (const f of group) {
      const seen = byName.get(f.name)
      if (seen === undefined) byName.set(f.name, { name: f.name, help: f.help, type: f.type, samples: [...f.samples] })
      else if (seen.type === f.type) seen.samples.push(...f.samples)
    }
  }
  return Array.from(byName.values())
}
