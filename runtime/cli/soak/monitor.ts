// Samples, every few seconds while the soak runs, the pids of every node's master and workers (into
// the cluster's seen set, for the orphan check) and the resident memory of every seen process still
// running, keeping each one's peak.
import { Effect } from "effect"
import type { Cluster } from "./cluster.ts"
import { residentKib } from "./processes.ts"

const SAMPLE_MS = 3_000

export interface MemoryPeak {
  readonly pid: number
  readonly role: string
  readonly kib: number
}

/** Written by the monitor fiber only. */
export interface MemoryRecord {
  samples: number
  readonly peaks: Map<number, MemoryPeak>
}

export const makeMemoryRecord = (): MemoryRecord => ({ samples: 0, peaks: new Map() })

export const highest = (record: MemoryRecord): MemoryPeak | undefined =>
  [...record.peaks.values()].reduce<MemoryPeak | undefined>((best, p) => (best === undefined || p.kib > best.kib ? p : best), undefined)

export const sampleOnce = (cluster: Cluster, record: MemoryRecord): Effect.Effect<void> =>
  Effect.gen(function* () {
    yield* cluster.notePids
    const seen = cluster.seen()
    const rss = residentKib(seen.map((s) => s.pid))
    record.samples++
    for (const { pid, role } of seen) {
      const kib = rss.get(pid)
      if (kib !== undefined && kib > (record.peaks.get(pid)?.kib ?? 0)) record.peaks.set(pid, { pid, role, kib })
    }
  })

/** Runs until interrupted. */
export const runMonitor = (cluster: Cluster, record: MemoryRecord): Effect.Effect<never> =>
  Effect.forever(Effect.zipRight(sampleOnce(cluster, record), Effect.sleep(SAMPLE_MS)))
