// Embedding: start a whole node (master in this process, data workers as real processes) from a
// test or another program. `quilbun/embed` gives an Effect API (scoped: the node stops with its
// Scope) and a Promise convenience (`await using node = await startNode({ workers: 1 })`).
// Each node gets its own temp data dir and a free port (port 0, read back), so several nodes can
// run in one test process. (Effect metrics are process-global: co-hosted nodes share counters.)
import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, tmpdir } from "node:os"
import { join } from "node:path"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import type { ActorTreeNode, NodeInfo, WorkerView } from "../api/backend.ts"
import { AdminBackend } from "../api/backend.ts"
import { AdminServer } from "../api/server.ts"
import { ActorSystem } from "../kernel/index.ts"
import type { ActorSystemService } from "../kernel/actor/system.ts"
import type { LogFormat, LogLevelName } from "../kernel/logging.ts"
import type { RestartPolicy } from "../kernel/process/restart-policy.ts"
import { WorkerPool, type WorkerPoolService } from "../kernel/process/worker-pool.ts"
import { prepareNode } from "../node/boot.ts"
import { MasterNodeLive } from "../node/master-node.ts"

export interface StartNodeOptions {
  /** Data-worker processes (default 1). */
  readonly workers?: number
  /** Data directory; a fresh temp dir (removed on stop) by default. */
  readonly dataDir?: string
  /** Keep a generated temp data dir after stop (e.g. to restart on it). */
  readonly keepDataDir?: boolean
  /** Default "warning" so tests stay quiet. */
  readonly logLevel?: Exclude<LogLevelName, "fatal" | "none">
  readonly logFormat?: LogFormat
  /** Log sink (default stderr). */
  readonly logWrite?: (line: string) => void
  readonly restartPolicy?: RestartPolicy
  /** Data-worker entry script instead of runtime/node/worker.ts (e.g. a worker with a custom shard engine). */
  readonly workerEntry?: string
  /** Wait until every data worker is running before returning (default true). */
  readonly waitForWorkers?: boolean
  /** Start a new chain if the data dir's chain store is missing (`--reset-store`). */
  readonly resetStore?: boolean
  /** Extra config flags (e.g. ["--set", ...]) in `bun run node` syntax. */
  readonly flags?: ReadonlyArray<string>
}

export interface NodeHandle {
  readonly dataDir: string
  readonly nodeId: string
  /** Admin API base URL (http://127.0.0.1:<port>). */
  readonly url: string
  readonly port: number
  /** Bearer token for mutating admin routes. */
  readonly token: string
  /** The master's actor system (spawn, lookup, snapshot). */
  readonly system: ActorSystemService
  /** The data workers (slots, remote refs into workers). */
  readonly workers: WorkerPoolService
  /** Master and worker trees merged, as `GET /v1/actors` returns it. */
  readonly actors: Effect.Effect<ActorTreeNode>
  readonly info: Effect.Effect<NodeInfo>
  readonly workerList: Effect.Effect<ReadonlyArray<WorkerView>>
  /** fetch against the admin API; adds the bearer token when `auth` is true. */
  readonly fetch: (path: string, init?: RequestInit & { readonly auth?: boolean }) => Promise<Response>
}

/** Starts a node for the lifetime of the current Scope. */
export const makeNode = (options: StartNodeOptions = {}) =>
  Effect.gen(function* () {
    const generated = options.dataDir === undefined
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "quilbun-node-"))
    if (generated && options.keepDataDir !== true) {
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dataDir, { recursive: true, force: true })))
    }
    const argv = [
      "--data-dir",
      dataDir,
      "--api-listen",
      "127.0.0.1:0",
      "--workers",
      String(options.workers ?? 1),
      "--log-level",
      options.logLevel ?? "warning",
      "--log-format",
      options.logFormat ?? "json",
      ...(options.resetStore === true ? ["--reset-store"] : []),
      ...(options.flags ?? []),
    ]
    // The environment is left out on purpose: QUILBUN_* of the host process must not leak in.
    const prepared = yield* prepareNode({ argv, env: {}, cores: availableParallelism(), cwd: process.cwd() })
    const context = yield* Layer.build(
      MasterNodeLive({
        ...prepared,
        ...(options.logWrite === undefined ? {} : { logWrite: options.logWrite }),
        ...(options.restartPolicy === undefined ? {} : { restartPolicy: options.restartPolicy }),
        ...(options.workerEntry === undefined ? {} : { workerEntry: options.workerEntry }),
        heartbeatEvery: "250 millis",
      }),
    )
    const server = Context.get(context, AdminServer)
    const backend = Context.get(context, AdminBackend)
    const system = Context.get(context, ActorSystem.ActorSystem)
    const workers = Context.get(context, WorkerPool)
    if (options.waitForWorkers !== false) {
      // Resolve once every worker reported ready, so tests start from a steady state.
      yield* Effect.forEach(workers.cores, (core) => Effect.flatMap(workers.slot(core), (slot) => slot.peer), {
        concurrency: "unbounded",
        discard: true,
      })
    }
    const token = prepared.apiToken
    const handle: NodeHandle = {
      dataDir,
      nodeId: prepared.identity.nodeId,
      url: server.url,
      port: server.port,
      token,
      system,
      workers,
      actors: backend.actors,
      info: backend.nodeInfo,
      workerList: backend.workers,
      fetch: (path, init) => {
        const headers = new Headers(init?.headers)
        if (init?.auth === true) headers.set("authorization", `Bearer ${token}`)
        return fetch(`${server.url}${path}`, { ...init, headers })
      },
    }
    return handle
  })

export interface StartedNode extends NodeHandle {
  readonly stop: () => Promise<void>
  readonly [Symbol.asyncDispose]: () => Promise<void>
}

/** Promise convenience: `const node = await startNode(); ...; await node.stop()`. */
export const startNode = async (options: StartNodeOptions = {}): Promise<StartedNode> => {
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(Scope.extend(makeNode(options), scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw new Error(`startNode failed: ${exit.cause.toString()}`)
  }
  let stopped: Promise<void> | undefined
  const stop = () => (stopped ??= Effect.runPromise(Scope.close(scope, Exit.void)))
  return { ...exit.value, stop, [Symbol.asyncDispose]: stop }
}
