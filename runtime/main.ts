// `bun run node`: the master process. Loads the config (exit 2 with one line on stderr when it
// is invalid), then runs the master layer graph until SIGINT/SIGTERM, which interrupt it: layers
// release in reverse (API, actors, workers, store) and the process exits 0. If the node gives up
// (the root supervisor stopped restarting its actors) it stops the same way and exits 1, and a
// timer makes sure that happens within shutdown.deadlineMs, so a service manager restarts it.
import { BunRuntime } from "@effect/platform-bun"
import { Effect, Exit, Cause, Layer, Option } from "effect"
import { configErrorExit, processConfigInput } from "../config/index.ts"
import { prepareNode } from "./node/boot.ts"
import { MasterNodeLive, NodeHealth } from "./node/master-node.ts"

const prepared = await Effect.runPromiseExit(prepareNode(processConfigInput()))
if (Exit.isFailure(prepared)) {
  const failure = Cause.failureOption(prepared.cause)
  if (Option.isSome(failure) && failure.value._tag === "ConfigError") {
    const { line, code } = configErrorExit(failure.value)
    process.stderr.write(`${line}\n`)
    process.exit(code)
  }
  const reason = Option.isSome(failure) ? failure.value.message : Cause.pretty(prepared.cause)
  process.stderr.write(`node: cannot start: ${reason}\n`)
  process.exit(1)
} else {
  // A typed failure prints its own one-line message (e.g. `store <path> is damaged: <reason>`).
  const firstLine = (cause: Cause.Cause<unknown>): string => {
    const failure = Cause.failureOption(cause)
    const error = Option.getOrUndefined(failure)
    return error instanceof Error ? error.message : (Cause.pretty(cause).split("\n")[0] ?? "")
  }
  const deadlineMs = prepared.value.config.shutdown.deadlineMs
  let started = false
  const program = Effect.scoped(
    Effect.gen(function* () {
      const node = yield* Layer.build(MasterNodeLive(prepared.value))
      started = true
      const gaveUp = yield* Effect.flatMap(NodeHealth, (health) => health.fatal).pipe(Effect.provide(node))
      // Backstop: the orderly stop below gets the shutdown deadline, then the process goes anyway.
      setTimeout(() => {
        process.stderr.write(`node: stop exceeded ${deadlineMs} ms; exiting\n`)
        process.exit(1)
      }, deadlineMs).unref()
      return yield* gaveUp
    })
  ).pipe(
    Effect.tapErrorCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.void
        : Effect.sync(() => process.stderr.write(`node: ${started ? "stopped" : "cannot start"}: ${firstLine(cause)}\n`))
    )
  )
  BunRuntime.runMain(program, { disablePrettyLogger: true, disableErrorReporting: true })
}
