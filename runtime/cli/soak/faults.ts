// Runs the fault schedules until the soak's deadline: each node fault after its quiet gap, then a wait
// until the faulted node is back (recovery.ts); beside it, worker kills on nodes no node fault holds
// (D-SOAK-6). A node that cannot be started again is a finding, not a reason to stop: the run goes on
// with the others and the final checks fail on it.
import { Effect, Option } from "effect"
import type { Cluster } from "./cluster.ts"
import { signal } from "./processes.ts"
import { waitRecovered } from "./recovery.ts"
import { describeFault, type Fault, type ScheduledFault, type ScheduledWorkerKill } from "./schedule.ts"

/** A restart replays the node's store and syncs what it missed: minutes on a loaded machine. */
const RECOVERY_MS = 180_000

export interface FaultTally {
  kills: number
  stalls: number
  executed: number
  /** the node the node-fault track is working on (faulted or recovering): the worker track leaves it alone */
  busy: number | undefined
  /** what went wrong that the final checks must fail on (a node that did not come back) */
  readonly findings: Array<string>
}

export const makeTally = (): FaultTally => ({ kills: 0, stalls: 0, executed: 0, busy: undefined, findings: [] })

/** How long a killed worker may take to run again before it is a finding. */
const WORKER_BACK_MS = 60_000

const restart = (cluster: Cluster, node: number, tally: FaultTally): Effect.Effect<void> =>
  cluster.start(node).pipe(
    // Once more: a port taken for a moment, a slow replay.
    Effect.orElse(() => cluster.start(node)),
    Effect.catchAll((e) => Effect.sync(() => void tally.findings.push(`node ${node} did not start again: ${e.reason}`))),
  )

const killNode = (cluster: Cluster, node: number, tally: FaultTally): Effect.Effect<void> =>
  Effect.gen(function* () {
    // Read the node's worker pids first: they must be gone too once it is killed.
    yield* cluster.notePids
    yield* cluster.kill(node)
    tally.kills++
  })

/** Injects the fault; returns the worker pids it killed outright (the node is not back while it lists one). */
/** kill -9 of one data worker (cores count from 1); the pid killed, or none when the node reports no such worker. */
const killWorker = (cluster: Cluster, node: number, core: number, tally: FaultTally, note: (line: string) => void): Effect.Effect<ReadonlyArray<number>> =>
  Effect.gen(function* () {
    const workers = yield* Effect.option(cluster.api(node).workers)
    const pid = Option.flatMap(workers, (ws) => Option.fromNullable(ws.find((w) => w.core === core)?.pid))
    if (Option.isNone(pid)) {
      note(`  node ${node} reports no running worker ${core}: nothing killed`)
      return []
    }
    yield* cluster.notePids
    signal(pid.value, "SIGKILL")
    tally.kills++
    return [pid.value]
  })

const inject = (cluster: Cluster, fault: Fault, tally: FaultTally, note: (line: string) => void): Effect.Effect<ReadonlyArray<number>> =>
  Effect.gen(function* () {
    switch (fault.kind) {
      case "kill-worker":
        return yield* killWorker(cluster, fault.node, fault.core, tally, note)
      case "kill-node":
        yield* killNode(cluster, fault.node, tally)
        yield* Effect.sleep(fault.downMs)
        yield* restart(cluster, fault.node, tally)
        return []
      case "stall":
        yield* cluster.notePids
        yield* cluster.pause(fault.node, true)
        tally.stalls++
        yield* Effect.sleep(fault.stallMs)
        yield* cluster.pause(fault.node, false)
        return []
      case "restart-during-sync":
        yield* killNode(cluster, fault.node, tally)
        yield* Effect.sleep(fault.downMs)
        yield* restart(cluster, fault.node, tally)
        yield* Effect.sleep(fault.syncMs)
        yield* killNode(cluster, fault.node, tally)
        yield* Effect.sleep(fault.downMs)
        yield* restart(cluster, fault.node, tally)
        return []
    }
  })

export const runFaults = (
  cluster: Cluster,
  schedule: ReadonlyArray<ScheduledFault>,
  shard: string,
  deadline: number,
  tally: FaultTally,
  note: (line: string) => void,
): Effect.Effect<void> =>
  Effect.gen(function* () {
    const startedAt = Date.now()
    for (const [i, { gapMs, fault }] of schedule.entries()) {
      yield* Effect.sleep(Math.max(0, Math.min(gapMs, deadline - Date.now())))
      if (Date.now() >= deadline) return
      if (!cluster.isUp(fault.node)) continue // it did not come back from an earlier fault (a finding already)
      tally.busy = fault.node
      note(`t+${((Date.now() - startedAt) / 1000).toFixed(1)}s fault ${i + 1}: ${describeFault(fault)}`)
      const killed = yield* inject(cluster, fault, tally, note)
      tally.executed++
      const t0 = Date.now()
      const back = cluster.isUp(fault.node) && (yield* waitRecovered(cluster, fault.node, { shard, killed }, RECOVERY_MS))
      if (back) note(`  node ${fault.node} back and caught up in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
      else if (cluster.isUp(fault.node))
        tally.findings.push(`node ${fault.node} did not catch up within ${RECOVERY_MS / 1000} s after: ${describeFault(fault)}`)
      tally.busy = undefined
    }
  })

/**
 * The worker track: kill -9 of a data worker on a node that is up and not held by the node-fault track,
 * then a wait until that node runs every worker again (its master restarts the killed one).
 */
export const runWorkerKills = (
  cluster: Cluster,
  plan: ReadonlyArray<ScheduledWorkerKill>,
  deadline: number,
  tally: FaultTally,
  note: (line: string) => void,
): Effect.Effect<void> =>
  Effect.gen(function* () {
    const startedAt = Date.now()
    for (const { gapMs, node, core } of plan) {
      yield* Effect.sleep(Math.max(0, Math.min(gapMs, deadline - Date.now())))
      if (Date.now() >= deadline) return
      if (tally.busy === node || !cluster.isUp(node)) continue
      note(`t+${((Date.now() - startedAt) / 1000).toFixed(1)}s worker track: kill -9 worker ${core} of node ${node}`)
      const killed = yield* killWorker(cluster, node, core, tally, note)
      if (killed.length === 0) continue
      const t0 = Date.now()
      let back = false
      while (!back && Date.now() - t0 < WORKER_BACK_MS) {
        yield* Effect.sleep(500)
        // A node fault may take the node down meanwhile: then its restart brings the worker back.
        if (!cluster.isUp(node)) break
        const workers = yield* Effect.option(cluster.api(node).workers)
        back = Option.isSome(workers) && workers.value.every((w) => w.state === "running" && (w.pid === null || !killed.includes(w.pid)))
      }
      if (back) note(`  worker ${core} of node ${node} running again in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
      else if (cluster.isUp(node)) tally.findings.push(`worker ${core} of node ${node} not running again within ${WORKER_BACK_MS / 1000} s of its kill`)
    }
  })
