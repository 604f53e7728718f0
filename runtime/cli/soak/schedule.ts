// The fault schedule: a deterministic function of (seed, duration, nodes, workers). Faults run one at a
// time, each after a quiet gap, and the next one starts only once the previous node is back and caught
// up (runner.ts): with 4 nodes the committee keeps its quorum of 3 through every fault. The timing of the
// nodes is not deterministic, so how far into the schedule a run gets may vary; the sequence does not.
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
