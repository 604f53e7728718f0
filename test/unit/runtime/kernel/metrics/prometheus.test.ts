// The renderer's output for Effect metrics of every kind, checked by prometheus-lint.ts.
import { describe, expect, test } from "bun:test"
import { Effect, Metric, MetricBoundaries } from "effect"
import { familiesFromSnapshot } from "../../../../../runtime/kernel/metrics/effect-snapshot.ts"
import { mergeFamilies, withLabels, type MetricFamily } from "../../../../../runtime/kernel/metrics/family.ts"
import { lintExposition } from "./prometheus-lint.ts"
import { escapeLabelValue, renderPrometheus, sanitizeLabelName, sanitizeMetricName } from "../../../../../runtime/kernel/metrics/prometheus.ts"

describe("prometheus rendering", () => {
  test("sanitises names and escapes values", () => {
    expect(sanitizeMetricName("actor.processed-count")).toBe("actor_processed_count")
    expect(sanitizeMetricName("9lives")).toBe("_9lives")
    expect(sanitizeLabelName("__reserved")).toBe("l__reserved")
    expect(sanitizeLabelName("a.b")).toBe("a_b")
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd')
  })

  test("Effect metrics of every kind render as valid exposition", async () => {
    const tag = `t${Math.random().toString(36).slice(2, 8)}`
    const counter = Metric.counter(`test.${tag}.processed`, { description: "Processed\nmessages \\ count" })
    const gauge = Metric.gauge(`test_${tag}_depth`)
    const histogram = Metric.histogram(`test_${tag}_latency_seconds`, MetricBoundaries.linear({ start: 0.1, width: 0.1, count: 3 }))
    const summary = Metric.summary({ name: `test_${tag}_size`, maxAge: "1 minute", maxSize: 100, error: 0.01, quantiles: [0.5, 0.9] })
    const freq = Metric.frequency(`test_${tag}_kinds`)
    const text = await Effect.runPromise(
      Effect.gen(function* () {
        yield* Metric.increment(Metric.tagged(counter, "path", 'root/"store"\n'))
        yield* Metric.incrementBy(Metric.tagged(counter, "path", "root/p2p"), 3)
        yield* Metric.set(gauge, 7)
        for (const v of [0.05, 0.15, 0.25, 9]) yield* Metric.update(histogram, v)
        for (const v of [1, 2, 3]) yield* Metric.update(summary, v)
        yield* Metric.update(freq, "a")
        yield* Metric.update(freq, "b")
        const families = familiesFromSnapshot(yield* Metric.snapshot).filter((f) => f.name.includes(tag))
        return renderPrometheus(mergeFamilies([withLabels(families, { core: "0" }), withLabels(families, { core: "1" })]))
      }),
    )
    expect(lintExposition(text)).toEqual([])
    expect(text).toContain(`# TYPE test_${tag}_processed_total counter`)
    expect(text).toContain(`# HELP test_${tag}_processed_total Processed\\nmessages \\\\ count`)
    expect(text).toContain(`test_${tag}_processed_total{path="root/p2p",core="1"} 3`)
    expect(text).toContain(`path="root/\\"store\\"\\n"`)
    expect(text).toContain(`test_${tag}_latency_seconds_bucket{le="+Inf",core="0"} 4`)
    expect(text).toContain(`test_${tag}_latency_seconds_count{core="0"} 4`)
    expect(text).toMatch(new RegExp(`test_${tag}_size\\{quantile="0.5",core="0"\\} `))
    expect(text).toContain(`test_${tag}_kinds_total{key="a",core="0"} 1`)
    // One TYPE line per family even though two processes contributed.
    expect(text.split(`# TYPE test_${tag}_depth gauge`).length).toBe(2)
  })

  test("the linter catches broken output (so the test above can fail)", () => {
    const broken: Array<MetricFamily> = []
    expect(lintExposition("# HELP a x\n# TYPE a counter\na 1\n")).toContain("counter a does not end in _total")
    expect(lintExposition('# HELP b x\n# TYPE b gauge\nb{x="a"b"} 1\n').length).toBeGreaterThan(0)
    expect(lintExposition("# HELP c x\n# TYPE c gauge\n# HELP c x\n# TYPE c gauge\nc 1\n").length).toBeGreaterThan(0)
    expect(renderPrometheus(broken)).toBe("")
  })

  test("conflicting types under one name keep the first family only", () => {
    const merged = mergeFamilies([
      [{ name: "x", help: "x", type: "gauge", samples: [{ suffix: "", labels: {}, value: 1 }] }],
      [{ name: "x", help: "x", type: "counter", samples: [{ suffix: "", labels: {}, value: 2 }] }],
    ])
    expect(merged).toHaveLength(1)
    expect(lintExposition(renderPrometheus(merged))).toEqual([])
  })
})
