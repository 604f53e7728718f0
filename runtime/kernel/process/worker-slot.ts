// One data-worker slot (one core): runs a worker process, restarts it with backoff when it exits,
// and gives up once the restart intensity is exceeded (until `restart` is requested). Each
// incarnation is its own Scope owning the process, so whatever happens to the loop, the process
// is stopped and awaited. While it runs, a liveness ask (worker-liveness.ts) marks a silent
// worker `unresponsive` and kills it after the grace period, which this loop then restarts.
import { Clock, Deferred, type Duration, Effect, Fiber, FiberId, Metric, Option, Queue, Schedule, Schema, type Scope } from "effect"
import { type WorkerCrashed, WorkerUnavailable, type RemoteFailure } from "./errors.ts"
import { WorkerReady, WorkerTag } from "./protocol.ts"
import { backoffSchedule, makeIntensityTracker, type RestartPolicy } from "./restart-policy.ts"
import { makeRpcPeer, type RpcDirectHandler, type RpcHandler, type RpcPeer } from "./rpc.ts"
import { defaultLivenessPolicy, watchLiveness, type LivenessPolicy } from "./worker-liveness.ts"
import { spawnWorkerProcess, type WorkerProcessOptions } from "./worker-process.ts"

/** The one list of a worker slot's states (the worker manager and the admin API report these). */
export const WorkerState = Schema.Literal("starting", "running", "unresponsive", "restarting", "failed", "stopped")
export type WorkerState = typeof WorkerState.Type

export interface WorkerInfo {
  readonly core: number
  readonly pid: number | null
  readonly state: WorkerState
  readonly restarts: number
  readonly uptimeMs: number
  readonly lastExit: { readonly exitCode: number | null; readonly signal: string | null } | null
}

export interface WorkerSlot {
  readonly core: number
  readonly info: Effect.Effect<WorkerInfo>
  /** The current worker's link; waits (up to `waitReady`) while the worker (re)starts. */
  readonly peer: Effect.Effect<RpcPeer, WorkerUnavailable>
  /** The running worker's link right now, if it is up (no waiting): for callback-style hot paths. */
  readonly livePeer: () => RpcPeer | undefined
  /** Calls the current worker. */
  readonly call: (tag: string, payload: unknown) => Effect.Effect<unknown, WorkerCrashed | RemoteFailure | WorkerUnavailable>
  /** Stops the current process so it is restarted at once (also revives a given-up slot). */
  readonly restart: Effect.Effect<void>
  /** Stops supervising and stops the process (SIGTERM, grace, SIGKILL); idempotent. */
  readonly stop: Effect.Effect<void>
}

export interface WorkerSlotOptions {
  readonly core: number
  readonly process: WorkerProcessOptions
  readonly policy: RestartPolicy
  /** Handlers for requests the worker sends to the master. */
  readonly handlers?: Readonly<Record<string, RpcHandler>>
  /** Callback-style handlers for hot requests the worker sends to the master. */
  readonly direct?: Readonly<Record<string, RpcDirectHandler>>
  /** How long a new process may take to report ready. */
  readonly readyTimeout?: Duration.DurationInput
  /** How long a call waits for a (re)starting worker. */
  readonly waitReady?: Duration.DurationInput
  /** Liveness ask of the running worker (default: every 2 s, unresponsive after 5 s, killed after 15 s). */
  readonly liveness?: LivenessPolicy
}

const workerRestarts = Metric.counter("quilbun_worker_restarts", {
  description: "Data-worker process restarts.",
  incremental: true,
})
const workerUp = Metric.gauge("quilbun_worker_up", {
  description: "1 while the data worker is running and ready, else 0.",
})

const decodeReady = Schema.decodeUnknown(WorkerReady)

export const makeWorkerSlot = (options: WorkerSlotOptions): Effect.Effect<WorkerSlot, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { core, policy } = options
    const workerTag = String(core)
    const restartsCounter = Metric.tagged(workerRestarts, "worker", workerTag)
    const upGauge = Metric.tagged(workerUp, "worker", workerTag)
    yield* Metric.set(upGauge, 0)

    let state: WorkerState = "starting"
    let pid: number | null = null
    let restarts = 0
    let startedAt = 0
    let lastExit: WorkerInfo["lastExit"] = null
    let current: RpcPeer | undefined
    let currentKill: ((signal: NodeJS.Signals) => void) | undefined
    let nextPeer = yield* Deferred.make<RpcPeer>()
    let manualRestart = false
    const revive = yield* Queue.sliding<void>(1)
    const intensity = makeIntensityTracker(policy)
    const driver = yield* Schedule.driver(backoffSchedule(policy))

    /** One process lifetime: spawn, wait for ready, serve until it exits. */
    const incarnation = Effect.scoped(
      Effect.gen(function* () {
        const proc = yield* spawnWorkerProcess(options.process)
        pid = proc.pid
        currentKill = (signal) => proc.kill(signal)
        const ready = yield* Deferred.make<void>()
        const peer = yield* makeRpcPeer(proc.transport, {
          core,
          ...(options.direct === undefined ? {} : { direct: options.direct }),
          handlers: {
            ...options.handlers,
            [WorkerTag.ready]: (payload) =>
              decodeReady(payload).pipe(
                Effect.flatMap((r) => (r.core === core ? Deferred.succeed(ready, undefined) : Effect.void)),
                Effect.orDie,
              ),
          },
        })
        const outcome = yield* Effect.raceFirst(Deferred.await(ready).pipe(Effect.as("ready" as const)), proc.exited.pipe(Effect.as("exited" as const))).pipe(
          Effect.timeoutOption(options.readyTimeout ?? "20 seconds"),
        )
        if (Option.isSome(outcome) && outcome.value === "ready") {
          startedAt = yield* Clock.currentTimeMillis
          state = "running"
          current = peer
          yield* Deferred.succeed(nextPeer, peer)
          yield* Metric.set(upGauge, 1)
          yield* Effect.logInfo("data worker ready").pipe(Effect.annotateLogs({ core, pid: proc.pid }))
          yield* Effect.forkScoped(
            watchLiveness(peer, options.liveness ?? defaultLivenessPolicy, {
              unresponsive: (silentMs) =>
                Effect.suspend(() => {
                  if (state === "running") state = "unresponsive"
                  return Metric.set(upGauge, 0)
                }).pipe(Effect.zipRight(Effect.logWarning("data worker unresponsive").pipe(Effect.annotateLogs({ core, pid: proc.pid, silentMs })))),
              responsive: (silentMs) =>
                Effect.suspend(() => {
                  if (state === "unresponsive") state = "running"
                  return Metric.set(upGauge, 1)
                }).pipe(Effect.zipRight(Effect.logInfo("data worker responsive again").pipe(Effect.annotateLogs({ core, pid: proc.pid, silentMs })))),
              // SIGKILL works on a stopped process too; the exit then goes through the restart path.
              stalled: (silentMs) =>
                Effect.logError("data worker unresponsive too long; killing it").pipe(
                  Effect.annotateLogs({ core, pid: proc.pid, silentMs }),
                  Effect.zipRight(Effect.sync(() => proc.kill("SIGKILL"))),
                ),
            }),
          )
        } else if (Option.isNone(outcome)) {
          yield* Effect.logError("data worker did not report ready in time").pipe(Effect.annotateLogs({ core }))
          proc.kill("SIGKILL")
        }
        const exit = yield* proc.exited
        return exit
      }).pipe(
        Effect.ensuring(
          Effect.gen(function* () {
            current = undefined
            currentKill = undefined
            pid = null
            yield* Metric.set(upGauge, 0)
          }),
        ),
      ),
    )

    const loop = Effect.gen(function* () {
      while (true) {
        const exit = yield* incarnation
        const now = yield* Clock.currentTimeMillis
        const uptime = startedAt > 0 ? now - startedAt : 0
        startedAt = 0
        lastExit = exit
        nextPeer = yield* Deferred.make<RpcPeer>()
        const manual = manualRestart
        manualRestart = false
        yield* (manual ? Effect.logInfo("data worker restart requested") : Effect.logWarning("data worker exited")).pipe(
          Effect.annotateLogs({ core, exitCode: exit.exitCode ?? "-", signal: exit.signal ?? "-", uptimeMs: uptime }),
        )
        if (intensity.isStable(uptime)) {
          intensity.reset()
          yield* driver.reset
        }
        if (!manual && !intensity.record(now)) {
          state = "failed"
          yield* Effect.logError("data worker restart intensity exceeded; giving up until restarted").pipe(
            Effect.annotateLogs({ core, maxRestarts: policy.maxRestarts }),
          )
          yield* Queue.take(revive)
          intensity.reset()
          yield* driver.reset
        } else if (!manual) {
          state = "restarting"
          yield* driver.next(undefined).pipe(Effect.ignore)
        }
        state = "restarting"
        restarts++
        yield* Metric.increment(restartsCounter)
      }
    })

    const fiber = yield* Effect.forkScoped(loop)
    const stop = Effect.gen(function* () {
      yield* Fiber.interrupt(fiber)
      state = "stopped"
      yield* Deferred.interruptWith(nextPeer, FiberId.none)
    })
    yield* Effect.addFinalizer(() => stop)

    const waitReady = options.waitReady ?? "10 seconds"
    const peer: Effect.Effect<RpcPeer, WorkerUnavailable> = Effect.suspend(() => {
      if (current !== undefined) return Effect.succeed(current)
      if (state === "failed" || state === "stopped") return Effect.fail(new WorkerUnavailable({ core, state }))
      return Deferred.await(nextPeer).pipe(
        Effect.timeoutFail({ duration: waitReady, onTimeout: () => new WorkerUnavailable({ core, state }) }),
        Effect.catchAllCause(() => Effect.fail(new WorkerUnavailable({ core, state }))),
      )
    })

    return {
      core,
      info: Effect.map(Clock.currentTimeMillis, (now) => ({
        core,
        pid,
        state,
        restarts,
        uptimeMs: (state === "running" || state === "unresponsive") && startedAt > 0 ? now - startedAt : 0,
        lastExit,
      })),
      peer,
      livePeer: () => current,
      call: (tag, payload) => (current !== undefined ? current.call(tag, payload) : Effect.flatMap(peer, (p) => p.call(tag, payload))),
      restart: Effect.suspend(() => {
        if (state === "failed") return Queue.offer(revive, undefined).pipe(Effect.asVoid)
        if (currentKill !== undefined) {
          manualRestart = true
          // A stalled process would hold a SIGTERM pending until it runs again.
          currentKill(state === "unresponsive" ? "SIGKILL" : "SIGTERM")
        }
        return Effect.void
      }),
      stop,
    } satisfies WorkerSlot
  })
