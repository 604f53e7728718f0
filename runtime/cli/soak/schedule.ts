// The fault schedules: deterministic functions of (seed, duration, nodes, workers). Node faults run one
// at a time, each after a quiet gap, and the next one starts only once the previous node is back and
// caught up (faults.ts): with 4 nodes the committee keeps its quorum of 3 through every fault. Worker
// kills run on a second track beside them (D-SOAK-6). The timing of the nodes is not deterministic, so
// how far into a schedule a run gets may vary; the sequences do not.
import { makePrng } from "./prng.ts"

export type Fault =
  /** kill -9 of one data worker (cores count from 1, as in GET /v1/workers); its master restarts it */
  | { readonly kind: "kill-worker"; readonly node: number; readonly core: number }
  /** kill -9 of a node's master (its workers exit with it), restarted on the same data dir after `downMs` */
  | { readonly kind: "kill-node"; readonly node: number; readonly downMs: number }
  /** SIGSTOP of a node's master and workers, SIGCONT after `stallMs` */
  | { readonly kind: "stall"; readonly node: number; readonly stallMs: number }
  /** kill -9 of a node, restart, kill -9 again `syncMs` after its API answers (while it catches up), restart */
  | { readonly kind: "restart-during-sync"; readonly node: number; readonly downMs: number; readonly syncMs: number }

export interface ScheduledFault {
  /** quiet time before the fault, after the previous one has recovered */
  readonly gapMs: number
  readonly fault: Fault
}

/** A rough time per fault, to plan enough of them to fill the duration (recovery usually takes longer). */
const nominalMs = (fault: Fault): number => {
  switch (fault.kind) {
    case "kill-worker":
      return 5_000
    case "kill-node":
      return fault.downMs + 15_000
    case "stall":
      return fault.stallMs + 5_000
    case "restart-during-sync":
      return fault.downMs + fault.syncMs + 30_000
  }
}

export const planSchedule = (seed: number, durationMs: number, nodes: number, workers: number): ReadonlyArray<ScheduledFault> => {
  const rng = makePrng(seed)
  const planned: Array<ScheduledFault> = []
  let at = 0
  while (at < durationMs) {
    const node = rng.int(0, nodes - 1)
    const kind = rng.pick<Fault["kind"]>([
      ["kill-worker", 3],
      ["kill-node", 3],
      ["stall", 3],
      ["restart-during-sync", 1],
    ])
    const fault: Fault =
      kind === "kill-worker"
        ? { kind, node, core: rng.int(1, workers) }
        : kind === "kill-node"
          ? { kind, node, downMs: rng.int(500, 5_000) }
          : kind === "stall"
            ? { kind, node, stallMs: rng.int(1_000, 8_000) }
            : { kind, node, downMs: rng.int(500, 3_000), syncMs: rng.int(200, 3_000) }
    const gapMs = rng.int(3_000, 12_000)
    planned.push({ gapMs, fault })
    at += gapMs + nominalMs(fault)
  }
  return planned
}

/** A kill -9 of one data worker on the second track, after `gapMs` of quiet on that track. */
export interface ScheduledWorkerKill {
  readonly gapMs: number
  readonly node: number
  readonly core: number
}

/** Worker kills are drawn from their own stream, so adding the track left the node-fault sequence of a seed unchanged. */
const WORKER_TRACK_SEED = 0x9e3779b9

export const planWorkerKills = (seed: number, durationMs: number, nodes: number, workers: number): ReadonlyArray<ScheduledWorkerKill> => {
  const rng = makePrng((seed ^ WORKER_TRACK_SEED) >>> 0)
  const planned: Array<ScheduledWorkerKill> = []
  // A worker is back in a few seconds; 10-25 s apart leaves each restart time to finish first.
  for (let at = 0; at < durationMs; ) {
    const kill = { gapMs: rng.int(10_000, 25_000), node: rng.int(0, nodes - 1), core: rng.int(1, workers) }
    planned.push(kill)
    at += kill.gapMs
  }
  return planned
}

export const describeFault = (f: Fault): string => {
  switch (f.kind) {
    case "kill-worker":
      return `kill -9 worker ${f.core} of node ${f.node}`
    case "kill-node":
      return `kill -9 node ${f.node}, restart after ${f.downMs} ms`
    case "stall":
      return `SIGSTOP node ${f.node} for ${f.stallMs} ms`
    case "restart-during-sync":
      return `kill -9 node ${f.node}, restart after ${f.downMs} ms, kill -9 again ${f.syncMs} ms into its sync, restart`
  }
}
