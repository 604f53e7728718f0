// The shipped Grafana dashboard is importable (ids, layout, data source input, queries) and the
// checker that the e2e node test runs against a real node's /metrics does find a missing metric.
import { expect, test } from "bun:test"
import { allPanels, missingMetrics, panelMetrics, readDashboard } from "./grafana-dashboard.ts"

test("every panel has a unique id, a place on the grid and the Prometheus input; every graph has queries", () => {
  const d = readDashboard()
  expect(d.uid).toBe("quilbun-node")
  const panels = allPanels(d)
  expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length)
  for (const p of panels) {
    expect(p.title.length).toBeGreaterThan(0)
    expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24)
    if (p.type === "row") continue
    // Grafana's import placeholder for the data source the operator picks (the __inputs entry).
    expect(p.datasource).toEqual({ type: "prometheus", uid: ["$", "{DS_PROMETHEUS}"].join("") })
    expect(p.targets?.length ?? 0).toBeGreaterThan(0)
    expect(panelMetrics(p).length).toBeGreaterThan(0)
  }
  // at least the sections an operator looks at first
  expect(panels.filter((p) => p.type === "row").map((p) => p.title)).toEqual(["Consensus", "Data workers", "Actors", "Processes", "Store (LMDB)"])
})

test("the metric check reports what an exposition lacks", () => {
  const d = readDashboard()
  const all = [...new Set(allPanels(d).flatMap(panelMetrics))]
  const full = all.map((m) => `${m}{core="0"} 1`).join("\n")
  expect(missingMetrics(d, full)).toEqual([])
  const without = all
    .filter((m) => m !== "quilbun_consensus_rank")
    .map((m) => `${m} 1`)
    .join("\n")
  expect(missingMetrics(d, without)).toEqual(["Rank: quilbun_consensus_rank"])
  // a HELP line alone is not a sample
  expect(missingMetrics(d, `# HELP quilbun_consensus_rank x\n${without}`)).toEqual(["Rank: quilbun_consensus_rank"])
})
