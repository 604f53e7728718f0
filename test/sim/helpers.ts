// Shared helpers for the devnet simulations: run an Effect program against a fresh devnet under
// TestClock, and compare committed chains across nodes.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Logger, LogLevel, type Scope, TestContext } from "effect"
import { decodeCertifiedFrame } from "../../actors/consensus/global/persistence.ts"
import { type Devnet, type DevnetOptions, makeDevnet } from "quilbun/testing"

export interface LogLine {
  readonly level: string
  readonly message: string
}

/**
 * Runs `body` against a fresh devnet under TestClock. Logs are dropped below Error, unless `logs` is
 * given: then every line from Info up is collected there instead.
 */
export const runDevnet = <A>(options: DevnetOptions, body: (devnet: Devnet) => Effect.Effect<A, never, Scope.Scope>, logs?: Array<LogLine>): Promise<A> => {
  const program = Effect.gen(function* () {
    const devnet = yield* makeDevnet(options)
    return yield* body(devnet)
  }).pipe(Effect.scoped, Effect.provide(TestContext.TestContext))
  if (logs === undefined) return Effect.runPromise(program.pipe(Logger.withMinimumLogLevel(LogLevel.Error)))
  const collect = Logger.make(({ logLevel, message }) => {
    logs.push({ level: logLevel.label, message: Array.isArray(message) ? message.map(String).join(" ") : String(message) })
  })
  return Effect.runPromise(program.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, collect)), Logger.withMinimumLogLevel(LogLevel.Info)))
}

export const heads = (devnet: Devnet, indices?: ReadonlyArray<number>) =>
  Effect.map(devnet.statuses, (all) =>
    all.filter((s) => indices === undefined || indices.some((i) => devnet.nodes[i]?.peerId === s.peerId)).map((s) => s.committedHead.frameNumber),
  )

export const allAtLeast = (devnet: Devnet, n: bigint, indices?: ReadonlyArray<number>) =>
  Effect.map(heads(devnet, indices), (hs) => hs.length > 0 && hs.every((h) => h >= n))

/** Committed frames 1..upTo of node `index` as hex strings (frame ‖ QC canonical bytes). */
export const chainOf = (devnet: Devnet, index: number, upTo: bigint) =>
  Effect.map(devnet.committed(index, 1n, upTo), (frames) => frames.map((f) => bytesToHex(f)))

/** Selectors (hex) of node `index`'s committed frames 1..upTo, from the QCs. */
export const selectorsOf = (devnet: Devnet, index: number, upTo: bigint) =>
  Effect.map(devnet.committed(index, 1n, upTo), (frames) => frames.map((f) => bytesToHex(decodeCertifiedFrame(f).qc.selector)))

/** Every running node's committed chain agrees with every other up to the shorter one. */
export const chainsConsistent = (devnet: Devnet) =>
  Effect.gen(function* () {
    const running = devnet.nodes.filter((n) => n.running)
    const chains: Array<ReadonlyArray<string>> = []
    for (const n of running) {
      const st = yield* devnet.status(n.index)
      chains.push(yield* selectorsOf(devnet, n.index, st.committedHead.frameNumber))
    }
    for (const a of chains)
      for (const b of chains) {
        const k = Math.min(a.length, b.length)
        for (let i = 0; i < k; i++) if (a[i] !== b[i]) return false
      }
    return true
  })
