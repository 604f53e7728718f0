// Data-worker entry point: `bun runtime/node/worker.ts --core <n> --data-dir <dir> ...`, spawned by the
// master's worker manager with an IPC pipe. The worker dies with its master: when the pipe
// disconnects (master exited, even by kill -9) it exits at once, so no orphan survives.
import { BunRuntime } from "@effect/platform-bun"
import { Cause, Effect, Either, Layer, Option } from "effect"
import { makeChildIpcTransport } from "../kernel/process/bun-ipc-transport.ts"
import { parseWorkerArgs } from "../kernel/process/worker-args.ts"
import { loadNodeIntrinsics } from "./plugins.ts"
import { WorkerNodeLive } from "./worker-node.ts"

process.on("disconnect", () => process.exit(0))

const args = parseWorkerArgs(process.argv.slice(2))
if (Either.isLeft(args)) {
  process.stderr.write(`worker: ${args.left}\n`)
  process.exit(2)
} else if (typeof process.send !== "function") {
  process.stderr.write("worker: must be started by the master (no IPC channel)\n")
  process.exit(2)
} else {
  // The master resolved these files and loaded them already; a failure here is still refused like a config error.
  const intrinsics = await Effect.runPromise(Effect.either(loadNodeIntrinsics(args.right.plugins ?? [], process.cwd())))
  if (Either.isLeft(intrinsics)) {
    process.stderr.write(`worker: ${intrinsics.left.message}\n`)
    process.exit(2)
  }
  const transport = makeChildIpcTransport()
  const program = Layer.launch(
    WorkerNodeLive(args.right, transport, intrinsics.right.intrinsics, new Map(intrinsics.right.plugins.map((p) => [p.intrinsic.manifest.name, p.codeHash]))),
  ).pipe(
    Effect.tapErrorCause((cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.void
      // A typed failure (a damaged or unopenable store, ...) is one line with its reason, whose text may be
      // LMDB's own words; only a defect carries its stack on the lines below.
      const failure = Cause.failureOption(cause)
      return Option.isSome(failure)
        ? Effect.logFatal(`worker failed to start: ${failure.value.message.replace(/\s*\n\s*/g, " ")}`)
        : Effect.logFatal("worker failed to start", cause)
    }),
  )
  // The failure is logged above, once, with its message; runMain would log it again with none.
  BunRuntime.runMain(program, { disablePrettyLogger: true, disableErrorReporting: true })
}
