// Reading the Grafana dashboard shipped in config/grafana: its panels and the metric names their
// queries use (the e2e node test checks each against a real node's /metrics).
import { readFileSync } from "node:fs"
import { join } from "node:path"

const DASHBOARD_PATH = join(import.meta.dir, "../../../config/grafana/quilbun-node.json")

export interface DashboardPanel {
  readonly id: number
  readonly type: string
  readonly title: string
  readonly datasource?: { readonly type: string; readonly uid: string }
  readonly gridPos: { readonly h: number; readonly w: number; readonly x: number; readonly y: number }
  readonly targets?: ReadonlyArray<{ readonly refId: string; readonly expr: string }>
  readonly panels?: ReadonlyArray<DashboardPanel>
}

export interface Dashboard {
  readonly title: string
  readonly uid: string
  readonly panels: ReadonlyArray<DashboardPanel>
}

export const readDashboard = (): Dashboard => JSON.parse(readFileSync(DASHBOARD_PATH, "utf8")) as Dashboard

/** Every panel, rows' children included. */
export const allPanels = (d: Dashboard): ReadonlyArray<DashboardPanel> => d.panels.flatMap((p) => [p, ...(p.panels ?? [])])

/** The sample names a panel's queries read (`quilbun_…`, histogram series with their suffix). */
export const panelMetrics = (p: DashboardPanel): ReadonlyArray<string> => [
  ...new Set((p.targets ?? []).flatMap((t) => t.expr.match(/\bquilbun_[a-z0-9_]+/g) ?? [])),
]

/** Metric names of a panel that do not appear as samples in `exposition`. */
export const missingMetrics = (d: Dashboard, exposition: string): ReadonlyArray<string> => {
  const present = new Set(exposition.split("\n").flatMap((line) => (line.startsWith("#") ? [] : (/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line)?.[1] ?? []))))
  return allPanels(d).flatMap((p) =>
    panelMetrics(p)
      .filter((m) => !present.has(m))
      .map((m) => `${p.title}: ${m}`),
  )
}
