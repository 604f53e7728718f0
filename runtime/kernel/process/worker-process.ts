// One data-worker OS process, owned by a Scope: spawned on acquire, stopped (SIGTERM, then
// SIGKILL after a grace period) and awaited on release, so no process outlives its owner.
import { Effect, type Duration } from "effect"
import { makeParentIpcLink } from "./bun-ipc-transport.ts"
import type { TransportClosed, WorkerTransport } from "./transport.ts"

export interface WorkerProcessOptions {
  readonly core: number
  /** Script the worker runs (runtime/node/worker.ts). */
  readonly entry: string
  /** Arguments after the script; a function is re-read at every spawn (e.g. the current log level). */
  readonly args: ReadonlyArray<string> | (() => ReadonlyArray<string>)
  readonly env?: Readonly<Record<string, string | undefined>>
  /** How long a worker may take to stop after SIGTERM before it is killed. */
  readonly stopGrace?: Duration.DurationInput
}

export interface WorkerProcess {
  readonly core: number
  readonly pid: number
  readonly transport: WorkerTransport
  /** Completes when the process has exited, with its code or signal. */
  readonly exited: Effect.Effect<TransportClosed>
  readonly kill: (signal?: NodeJS.Signals | number) => void
}

export const spawnWorkerProcess = (options: WorkerProcessOptions) =>
  Effect.acquireRelease(
    Effect.sync((): WorkerProcess => {
      const link = makeParentIpcLink()
      const proc = Bun.spawn({
        cmd: [process.execPath, options.entry, ...(typeof options.args === "function" ? options.args() : options.args)],
        env: { ...process.env, ...options.env },
        stdin: "ignore",
        // Own session: a terminal's Ctrl-C (or `timeout`, or any group signal) reaches only the
        // master, which then stops its workers in order; otherwise a worker could exit first and be
        // restarted mid-shutdown. Orphans are still impossible: a worker exits when its IPC pipe closes.
        detached: true,
        stdout: "inherit",
        stderr: "inherit",
        serialization: "advanced",
        ipc: (message) => link.onMessage(message),
        onDisconnect: () => link.onDisconnect(),
      })
      link.bind(proc)
      const exited = Effect.promise(() => proc.exited).pipe(
        Effect.map((): TransportClosed => ({ exitCode: proc.exitCode, signal: proc.signalCode === null ? null : String(proc.signalCode) })),
      )
      return {
        core: options.core,
        pid: proc.pid,
        transport: link.transport,
        exited,
        kill: (signal) => {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
        },
      }
    }),
    (worker) =>
      Effect.gen(function* () {
        worker.kill("SIGTERM")
        // Release runs uninterruptibly; the wait must be interruptible for the timeout to fire.
        const stopped = yield* worker.exited.pipe(Effect.interruptible, Effect.timeoutOption(options.stopGrace ?? "3 seconds"))
        if (stopped._tag === "None") {
          yield* Effect.logWarning("worker did not stop in time; killing").pipe(Effect.annotateLogs({ core: worker.core, pid: worker.pid }))
          worker.kill("SIGKILL")
          yield* worker.exited
        }
      }),
  )
