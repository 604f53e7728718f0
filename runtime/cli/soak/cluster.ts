// The soak's devnet: the devnet launcher's members and placements, with single nodes killed, stalled and
// restarted on their own data dir and ports. It remembers every pid it saw (masters from /v1/node and
// from spawning, workers from /v1/workers) for the orphan check, and which nodes are down on purpose so
// the load generator and the recovery waits skip them.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import type { DevnetMember } from "../devnet/genesis.ts"
import { type DevnetNode, type MemberPlacement, placeMembers, spawnMember, stopNodes, waitForApi } from "../devnet/launcher.ts"
import { type NodeApi, nodeApi } from "./api.ts"
import { SoakSetupFailed } from "./errors.ts"
import { isRunning, signal } from "./processes.ts"

/** A restarted node replays its store before its API answers; on a loaded machine that takes a while. */
const START_WAIT_MS = 120_000

export interface SeenProcess {
  readonly pid: number
  /** e.g. "node 2 master", "node 0 worker 0" */
  readonly role: string
}

export interface Cluster {
  readonly size: number
  readonly api: (index: number) => NodeApi
  /** up: running and not stopped on purpose (a stalled node is not up) */
  readonly isUp: (index: number) => boolean
  readonly start: (index: number) => Effect.Effect<void, SoakSetupFailed>
  /** kill -9 of the node's master; resolves once it has exited */
  readonly kill: (index: number) => Effect.Effect<void>
  /** SIGSTOP (true) or SIGCONT (false) of the node's master and its workers */
  readonly pause: (index: number, paused: boolean) => Effect.Effect<void>
  /** Reads the pids of every up node's master and workers into the seen set. */
  readonly notePids: Effect.Effect<void>
  /** The pids of every process the soak saw running (possibly gone since) and what each was. */
  readonly seen: () => ReadonlyArray<SeenProcess>
  /** Nodes that exited without the soak killing or stopping them: each is a finding. */
  readonly crashes: () => ReadonlyArray<string>
  /** SIGTERM to every running node, SIGKILL after the launcher's grace period */
  readonly stopAll: Effect.Effect<void>
}

export const makeCluster = (members: ReadonlyArray<DevnetMember>, workers: number, nodeArgs: ReadonlyArray<string>): Cluster => {
  const placements: ReadonlyArray<MemberPlacement> = placeMembers(members)
  const running: Array<DevnetNode | undefined> = members.map(() => undefined)
  const apis: Array<NodeApi | undefined> = members.map(() => undefined)
  const paused = new Set<number>()
  const seen = new Map<number, string>()
  /** the worker pids last read from each node, for stalls (a stalled node cannot be asked) */
  const workerPids: Array<ReadonlyArray<number>> = members.map(() => [])
  /** masters the soak itself is killing or stopping: their exit is expected */
  const ending = new Set<number>()
  let stopping = false
  const crashes: Array<string> = []

  const alive = (index: number): DevnetNode | undefined => {
    const node = running[index]
    return node !== undefined && node.proc.exitCode === null && node.proc.signalCode === null ? node : undefined
  }

  const noteNode = (index: number): Effect.Effect<ReadonlyArray<number>> => {
    const api = apis[index]
    if (api === undefined || alive(index) === undefined || paused.has(index)) return Effect.succeed(workerPids[index] ?? [])
    return Effect.gen(function* () {
      const info = yield* Effect.option(api.nodeInfo)
      if (info._tag === "Some") seen.set(info.value.pid, `node ${index} master`)
      const ws = yield* Effect.option(api.workers)
      if (ws._tag === "Some") {
        const pids = ws.value.flatMap((w) => (w.pid === null ? [] : [w.pid]))
        for (const w of ws.value) if (w.pid !== null) seen.set(w.pid, `node ${index} worker ${w.core}`)
        workerPids[index] = pids
      }
      return workerPids[index] ?? []
    })
  }

  return {
    size: members.length,
    api: (index) => {
      const api = apis[index]
      if (api === undefined) throw new RangeError(`node ${index} was never started`)
      return api
    },
    isUp: (index) => alive(index) !== undefined && !paused.has(index),
    start: (index) =>
      Effect.gen(function* () {
        const placement = placements[index]
        if (placement === undefined) return yield* new SoakSetupFailed({ reason: `no node ${index}` })
        const node = spawnMember(placement, placements, { workers, nodeArgs })
        running[index] = node
        seen.set(node.proc.pid, `node ${index} master`)
        void node.proc.exited.then((code) => {
          if (!stopping && !ending.has(node.proc.pid))
            crashes.push(`node ${index} (pid ${node.proc.pid}) exited on its own with code ${code}; see ${node.logFile}`)
        })
        yield* Effect.tryPromise({
          try: () => waitForApi(node, START_WAIT_MS),
          catch: (e) => new SoakSetupFailed({ reason: e instanceof Error ? e.message : String(e) }),
        })
        // The node writes its token on first start; later starts keep it.
        const token = readFileSync(join(placement.member.dataDir, "api.token"), "utf8").trim()
        apis[index] = nodeApi(node.api, token)
        yield* noteNode(index)
      }),
    kill: (index) =>
      Effect.gen(function* () {
        const node = running[index]
        if (node === undefined) return
        ending.add(node.proc.pid)
        signal(node.proc.pid, "SIGKILL")
        yield* Effect.promise(() => node.proc.exited)
        paused.delete(index)
      }),
    pause: (index, stop) =>
      Effect.sync(() => {
        const node = alive(index)
        if (node === undefined) return
        if (stop) paused.add(index)
        // Master and workers together: the whole node freezes, as under a host-level stall.
        for (const pid of [node.proc.pid, ...(workerPids[index] ?? []).filter(isRunning)]) signal(pid, stop ? "SIGSTOP" : "SIGCONT")
        if (!stop) paused.delete(index)
      }),
    notePids: Effect.forEach(members, (_, i) => noteNode(i), { discard: true }),
    seen: () => [...seen].map(([pid, role]) => ({ pid, role })),
    crashes: () => [...crashes],
    stopAll: Effect.gen(function* () {
      stopping = true
      // A stalled node cannot handle SIGTERM: resume it first.
      for (const i of [...paused]) {
        const node = alive(i)
        if (node !== undefined) for (const pid of [node.proc.pid, ...(workerPids[i] ?? [])]) signal(pid, "SIGCONT")
      }
      paused.clear()
      const nodes = running.filter((n): n is DevnetNode => n !== undefined)
      yield* Effect.promise(() => stopNodes(nodes))
    }),
  }
}
