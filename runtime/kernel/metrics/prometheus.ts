// Prometheus text exposition format 0.0.4: one HELP and one TYPE line per family, then its samples.
// Names are sanitised to [a-zA-Z_:][a-zA-Z0-9_:]*, label names to [a-zA-Z_][a-zA-Z0-9_]*, label
// values escape \ " and newline, HELP escapes \ and newline, counters end in _total.
import type { MetricFamily, Sample } from "./family.ts"

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

/** Maps any string onto a valid metric name (dots and dashes become underscores). */
export const sanitizeMetricName = (name: string): string => {
  const cleaned = name.replace(/[^a-zA-Z0-9_:]/g, "_")
  return /^[a-zA-Z_:]/.test(cleaned) ? cleaned : `_${cleaned}`
}

/** Maps any string onto a valid label name; names starting with __ are reserved, so they get a prefix. */
export const sanitizeLabelName = (name: string): string => {
  let cleaned = name.replace(/[^a-zA-Z0-9_]/g, "_")
  if (!/^[a-zA-Z_]/.test(cleaned)) cleaned = `_${cleaned}`
  return cleaned.startsWith("__") ? `l${cleaned}` : cleaned
}

export const escapeLabelValue = (value: string): string => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')

const escapeHelp = (help: string): string => help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

export const formatValue = (value: number): string => {
  if (Number.isNaN(value)) return "NaN"
  if (value === Number.POSITIVE_INFINITY) return "+Inf"
  if (value === Number.NEGATIVE_INFINITY) return "-Inf"
  return String(value)
}

/** The family name as exposed: sanitised, and with `_total` for counters. */
const familyName = (family: Pick<MetricFamily, "name" | "type">): string => {
  const base = sanitizeMetricName(family.name)
  return family.type === "counter" && !base.endsWith("_total") ? `${base}_total` : base
}

const renderLabels = (labels: Readonly<Record<string, string>>): string => {
  const entries = Object.entries(labels)
  if (entries.length === 0) return ""
  const seen = new Set<string>()
  const parts: Array<string> = []
  for (const [k, v] of entries) {
    const name = sanitizeLabelName(k)
    if (seen.has(name)) continue
    seen.add(name)
    parts.push(`${name}="${escapeLabelValue(v)}"`)
  }
  return `{${parts.join(",")}}`
}

const sampleKey = (sample: Sample, rendered: string): string => `${sample.suffix}${rendered}`

/** Renders families; two samples with the same name and labels keep only the first. */
export const renderPrometheus = (families: ReadonlyArray<MetricFamily>): string => {
  const lines: Array<string> = []
  const emitted = new Set<string>()
  for (const family of families) {
    const name = familyName(family)
    if (emitted.has(name)) continue
    emitted.add(name)
    lines.push(`# HELP ${name} ${escapeHelp(family.help)}`)
    lines.push(`# TYPE ${name} ${family.type}`)
    const seen = new Set<string>()
    for (const sample of family.samples) {
      const labels = renderLabels(sample.labels)
      const key = sampleKey(sample, labels)
      if (seen.has(key)) continue
      seen.add(key)
      // Counter samples carry the family name itself (which already ends in _total).
      lines.push(`${name}${sample.suffix}${labels} ${formatValue(sample.value)}`)
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`
}
