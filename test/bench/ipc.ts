// `bun run bench ipc`: master → worker ask round trip through a remote ActorRef (Schema-encoded
// message, [id, tag, payload] frame over Bun IPC, decode + ask in the worker's actor system,
// encoded Exit back) beside raw Bun IPC (process.send echo of a same-shaped tuple) in the same
// run, interleaved. `ipc.ask` is sequential with one request in flight, so ops/s = 1 / latency:
// ratio = ours/raw in throughput terms, and ratio ≥ 0.67 ⇔ our latency ≤ 1.5× the raw round
// trip. `ipc.ask-pipelined` keeps 64 requests in flight on both sides (throughput), each side
// with one promise per request (ours: `Effect.runPromise(ref.ask(...))`).
import { Effect, Exit, Scope } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ActorRef } from "../../runtime/kernel/index.ts"
import { LoggingLive } from "../../runtime/kernel/logging.ts"
import { Echo, ProbeProtocol, type ProbeMessage } from "../../runtime/node/probe.ts"
import { workerArgv } from "../../runtime/kernel/process/protocol.ts"
import { makeRemoteRef } from "../../runtime/kernel/process/remote-ref.ts"
import { makeWorkerSlot } from "../../runtime/kernel/process/worker-slot.ts"
import { opsPerSecond, reportRatio, reportValues } from "./report.ts"

const ECHO_CHILD = `process.on("disconnect", () => process.exit(0)); process.on("message", (m) => process.send(m));`
const PIPELINE = 64

type Frame = readonly [number, string, unknown]

/** The baseline: a child that echoes every IPC message, and a promise per round trip. */
const startRawEcho = () => {
  const pending = new Map<number, (m: unknown) => void>()
  const child = Bun.spawn({
    cmd: [process.execPath, "-e", ECHO_CHILD],
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit"],
    ipc: (message: Frame) => {
      const resolve = pending.get(message[0])
      pending.delete(message[0])
      resolve?.(message)
    },
  })
  let id = 0
  const roundTrip = (payload: unknown) =>
    new Promise<unknown>((resolve) => {
      const frameId = ++id
      pending.set(frameId, resolve)
      child.send([frameId, "actor.ask", ["/worker-1/probe", payload]] satisfies Frame)
    })
  return { roundTrip, stop: async () => void (child.kill(), await child.exited) }
}

const measure = (inFlight: number, ms: number, one: (i: number) => Promise<unknown>) =>
  opsPerSecond(
    async (n) => {
      if (inFlight === 1) for (let i = 0; i < n; i++) await one(i)
      else await Promise.all(Array.from({ length: n }, (_, i) => one(i)))
    },
    { batch: inFlight === 1 ? 200 : inFlight, ms, warmupMs: 300 },
  )

/** Sequential: one fiber asking n times in a row (the raw side awaits n promises in a row). */
const oursBatch = (probe: ActorRef<ProbeMessage>) => (n: number) =>
  Effect.runPromise(
    Effect.gen(function* () {
      for (let i = 0; i < n; i++) yield* probe.ask(new Echo({ value: i }))
    }),
  )

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  const ms = Number(args[0] ?? 2000)
  const dataDir = mkdtempSync(join(tmpdir(), "quilbun-bench-ipc-"))
  const scope = Effect.runSync(Scope.make())
  const raw = startRawEcho()
  try {
    const slot = await Effect.runPromise(
      Scope.extend(
        makeWorkerSlot({
          core: 1,
          process: {
            core: 1,
            entry: join(import.meta.dir, "../../runtime/node/worker.ts"),
            args: workerArgv({ core: 1, dataDir, logFormat: "json", logLevel: "warning" }),
          },
          policy: { backoffBase: "50 millis", backoffCap: "1 second", maxRestarts: 3, window: "1 minute" },
        }),
        scope,
      ).pipe(Effect.provide(LoggingLive({ format: "json", level: "warning" }))),
    )
    await Effect.runPromise(slot.peer)
    const probe = makeRemoteRef(slot, "/worker-1/probe", ProbeProtocol)
    for (const [name, inFlight] of [
      ["ipc.ask", 1],
      ["ipc.ask-pipelined", PIPELINE],
    ] as const) {
      const batch = oursBatch(probe)
      // Pipelined, like the raw side: one promise per request, `inFlight` of them at a time.
      const ours = (i: number) => Effect.runPromise(probe.ask(new Echo({ value: i })))
      const oneRaw = (i: number) => raw.roundTrip({ _tag: "Echo", value: i })
      // Interleave raw and ours twice so machine noise hits both alike.
      const results = { raw: 0, ours: 0 }
      for (let round = 0; round < 2; round++) {
        results.raw += await measure(inFlight, ms / 2, oneRaw)
        results.ours += inFlight === 1 ? await opsPerSecond(batch, { batch: 200, ms: ms / 2, warmupMs: 300 }) : await measure(inFlight, ms / 2, ours)
      }
      reportRatio(name, "ops/s", results.ours / 2, results.raw / 2)
    }
    // Medians, since a loaded machine puts a long tail into the means above.
    const median = async (one: () => Promise<unknown>): Promise<number> => {
      const samples: Array<number> = []
      for (let i = 0; i < 3000; i++) {
        const t = performance.now()
        await one()
        samples.push(performance.now() - t)
      }
      samples.sort((a, b) => a - b)
      return (samples[Math.floor(samples.length / 2)] ?? 0) * 1000
    }
    const rawP50 = await median(() => raw.roundTrip({ _tag: "Echo", value: 1 }))
    const oursP50 = await median(() => Effect.runPromise(probe.ask(new Echo({ value: 1 }))))
    reportValues("ipc.ask-latency", { p50_us: oursP50, baseline_p50_us: rawP50, ratio: oursP50 / rawP50 })
  } finally {
    await raw.stop()
    await Effect.runPromise(Scope.close(scope, Exit.void))
    rmSync(dataDir, { recursive: true, force: true })
  }
}
