// The master's main fiber: prepare (config, data-dir lock, permissions, keys), build the master
// layer graph, then run until interrupted by the first stop signal, when the scope closes: layers
// release in reverse (API, actors, workers, store) and the lock goes last. Its outcome is the exit.
// If the node gives up (the root supervisor stopped restarting its actors) it stops the same way and
// exits 1, within shutdown.deadlineMs, so a service manager restarts it.
import { Cause, Effect, Exit, FiberId, Layer, Option, Runtime } from "effect"
import { configErrorExit, processConfigInput } from "../../config/index.ts"
import { prepareNode } from "./boot.ts"
import { MasterNodeLive, NodeHealth } from "./master-node.ts"
import type { StopSignals } from "./stop-signals.ts"

const program = (signals: StopSignals) =>
  Effect.scoped(
    Effect.gen(function* () {
      const prepared = yield* prepareNode(processConfigInput())
      const runtime = yield* Layer.toRuntime(MasterNodeLive(prepared))
      const run = Runtime.runFork(runtime)
      signals.setNotice(
        (level, message, signal) => void run((level === "info" ? Effect.logInfo(message) : Effect.logWarning(message)).pipe(Effect.annotateLogs({ signal }))),
      )
      const gaveUp = yield* Effect.flatMap(NodeHealth, (health) => health.fatal).pipe(Effect.provide(runtime))
      // Backstop: the orderly stop (closing this scope) gets the shutdown deadline, then the process goes anyway.
      const deadlineMs = prepared.config.shutdown.deadlineMs
      setTimeout(() => {
        process.stderr.write(`node: stop exceeded ${deadlineMs} ms; exiting\n`)
        process.exit(1)
      }, deadlineMs).unref()
      return yield* gaveUp
    }),
  )

/** The exit status and the one line for stderr (if any) of a finished master. */
const outcome = (exit: Exit.Exit<never, Effect.Effect.Error<ReturnType<typeof program>>>): { readonly code: number; readonly line?: string } => {
  if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return { code: 0 }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (error._tag === "ConfigError") return configErrorExit(error)
    // The operator-facing refusal is the whole line, as documented.
    if (error._tag === "DataDirInUse") return { code: 1, line: error.message }
    if (error._tag === "NodeGaveUp") return { code: 1, line: `node: stopped: ${error.message}` }
    return { code: 1, line: `node: cannot start: ${error.message}` }
  }
  return { code: 1, line: `node: cannot start: ${Cause.pretty(exit.cause).split("\n")[0] ?? ""}` }
}

/** Starts the master; the process exits when it ends. Returns the stop (interrupt) function. */
export const runMaster = (signals: StopSignals): (() => void) => {
  // Effect.never parks the fiber without a handle; this keeps the event loop (and the process) up.
  const keepAlive = setInterval(() => {}, 2 ** 31 - 1)
  const main = Effect.runFork(program(signals))
  main.addObserver((exit) => {
    clearInterval(keepAlive)
    const { code, line } = outcome(exit)
    if (line !== undefined) process.stderr.write(`${line}\n`)
    process.exit(code)
  })
  return () => main.unsafeInterruptAsFork(FiberId.none)
}
