// A node far behind catches up from a peer over the in-memory transport and reports its progress:
// a start line, progress lines with done/target where the target is the head the peer announced in its
// sync answers, a final line at that target, and the quilbun_p2p_sync_* gauges. A short catch-up of a
// couple of frames stays quiet. Node 0 is a one-prover committee that commits alone; node 1 is an
// observer (not in the committee) started once node 0 is several sync batches ahead.
import { describe, expect, test } from "bun:test"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Duration, Effect, Either, Layer, Logger, Metric, Scope, TestClock, TestContext } from "effect"
import { devnetConsensusConfig, SYNC_BATCH } from "../../actors/consensus/global/config.ts"
import { globalConsensusActor, type GlobalConsensusRef } from "../../actors/consensus/global/global-consensus.ts"
import { GetStatus } from "../../actors/consensus/global/protocol.ts"
import { decodeSyncResponse, GLOBAL_SYNC_PROTOCOL } from "../../actors/consensus/global/wire.ts"
import { syncFramesSyncedGauge, syncFramesTargetGauge } from "../../runtime/network/metrics.ts"
import { StoreLive } from "../../runtime/store/index.ts"
import { poseidonHashBytes } from "../../crates/ts/poseidon.ts"
import { memoizedPoseidon } from "../../runtime/testing/devnet.ts"
import type { ActiveProver } from "../../actors/consensus/core/prover-ring.ts"
import { BlsVerifier, FrameVdf, Poseidon, ProverSigner, type ProverSignerService } from "../../crates/ts/services.ts"
import { insecureTestBlsVerifier, makeInsecureTestSigner } from "../../runtime/testing/insecure-test-bls.ts"
import { insecureTestVdf } from "../../runtime/testing/insecure-test-vdf.ts"
import { ActorSystem } from "../../runtime/kernel/index.ts"
import { type InMemoryNetwork, makeInMemoryNetwork } from "../../runtime/kernel/transport/in-memory.ts"
import { Transport, type TransportService } from "../../runtime/kernel/transport/transport.ts"

/** How far ahead node 0 is when node 1 starts: more than two full sync batches. */
const BEHIND = 2n * BigInt(SYNC_BATCH) + 90n

interface Run {
  /** Lines logged by either node that are about sync progress. */
  readonly lines: ReadonlyArray<string>
  /** Heads node 0 announced in its sync answers, in order. */
  readonly servedHeads: ReadonlyArray<bigint>
  readonly startHead0: bigint
  readonly caughtUp: boolean
  readonly head1: bigint
  readonly gauges: readonly [number, number]
  /** Lines and answers of the later short catch-up. */
  readonly short: { readonly lines: ReadonlyArray<string>; readonly answers: ReadonlyArray<bigint>; readonly behind: bigint; readonly caughtUp: boolean }
}

const isProgressLine = (line: string): boolean => /^sync (started|progress|finished|stopped)/.test(line)

const scenario = (captured: Array<string>) =>
  Effect.gen(function* () {
    const poseidon = memoizedPoseidon(poseidonHashBytes)
    const network: InMemoryNetwork = yield* makeInMemoryNetwork({ seed: 5 })
    const root = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "quilbun-sync-progress-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(root, { recursive: true, force: true })))
    const signers = [0, 1].map((i) => makeInsecureTestSigner(Uint8Array.of(0x53, 0x59, i), poseidon))
    const prover = signers[0] as ProverSignerService
    const committee: ReadonlyArray<ActiveProver> = [{ address: prover.address, publicKey: prover.publicKey, seniority: 0n }]
    const servedHeads: Array<bigint> = []

    // Node 0's sync answers are recorded on their way out, so the test knows which heads were announced.
    const recordingAnswers = (t: TransportService): TransportService => ({
      ...t,
      serve: (protocol, handler) =>
        t.serve(protocol, (from, data) =>
          Effect.tap(handler(from, data), (reply) =>
            Effect.sync(() => {
              const decoded = decodeSyncResponse(reply)
              if (protocol === GLOBAL_SYNC_PROTOCOL && Either.isRight(decoded)) servedHeads.push(decoded.right.headFrameNumber)
            }),
          ),
        ),
    })

    const startNode = (index: number) =>
      Effect.gen(function* () {
        const endpoint = yield* network.endpoint(`node-${index}`)
        const services = Layer.mergeAll(
          StoreLive({ path: join(root, `node-${index}`) }),
          Layer.succeed(Transport, index === 0 ? recordingAnswers(endpoint) : endpoint),
          Layer.succeed(ProverSigner, signers[index] as ProverSignerService),
          Layer.succeed(BlsVerifier, insecureTestBlsVerifier),
          Layer.succeed(Poseidon, poseidon),
          Layer.succeed(FrameVdf, insecureTestVdf),
        )
        const context = yield* Layer.build(Layer.merge(services, ActorSystem.layer({ rootName: "root" }))).pipe(Effect.orDie)
        const system = yield* Effect.provide(ActorSystem.ActorSystem, context)
        // Every progress line is logged, whatever the virtual time between batches.
        const config = devnetConsensusConfig({ syncProgressLogIntervalMs: 0 })
        const ref: GlobalConsensusRef = yield* system
          .spawn(globalConsensusActor({ config, committee: Effect.succeed(committee) }))
          .pipe(Effect.provide(context), Effect.orDie)
        return ref
      })

    const headOf = (ref: GlobalConsensusRef) => Effect.map(ref.ask(new GetStatus()).pipe(Effect.orDie), (s) => s.committedHead.frameNumber)
    const runUntil = (done: Effect.Effect<boolean>, maxMs: number, stepMs = 100) =>
      Effect.gen(function* () {
        for (let t = 0; t <= maxMs; t += stepMs) {
          if (yield* done) return true
          yield* TestClock.adjust(Duration.millis(stepMs))
        }
        return yield* done
      })

    const node0 = yield* startNode(0)
    yield* runUntil(
      Effect.map(headOf(node0), (h) => h >= BEHIND),
      600_000,
      200,
    )
    const startHead0 = yield* headOf(node0)
    captured.length = 0

    const node1 = yield* startNode(1)
    const caughtUp = yield* runUntil(
      Effect.gen(function* () {
        const [h0, h1] = [yield* headOf(node0), yield* headOf(node1)]
        return h1 + 3n >= h0 && captured.some((l) => l.startsWith("sync finished"))
      }),
      60_000,
      20,
    )
    const head1 = yield* headOf(node1)
    const gauges = [(yield* Metric.value(syncFramesSyncedGauge)).value, (yield* Metric.value(syncFramesTargetGauge)).value] as const
    const lines = captured.filter(isProgressLine)

    // A short catch-up: node 1 misses a couple of frames behind a partition, then asks node 0 again.
    captured.length = 0
    const answersBefore = servedHeads.length
    network.partition([["node-0"], ["node-1"]])
    const cutAt = yield* headOf(node1)
    yield* runUntil(
      Effect.map(headOf(node0), (h) => h >= cutAt + 2n),
      10_000,
      10,
    )
    const behind = (yield* headOf(node0)) - (yield* headOf(node1))
    network.heal()
    const target = yield* headOf(node0)
    const shortCaughtUp = yield* runUntil(
      Effect.map(headOf(node1), (h) => h >= target),
      10_000,
      10,
    )
    return {
      lines,
      servedHeads: servedHeads.slice(0, answersBefore),
      startHead0,
      caughtUp,
      head1,
      gauges,
      short: { lines: captured.filter(isProgressLine), answers: servedHeads.slice(answersBefore), behind, caughtUp: shortCaughtUp },
    } satisfies Run
  })

const runScenario = (): Promise<Run> => {
  const captured: Array<string> = []
  const capture = Logger.make(({ message }) => {
    captured.push(Array.isArray(message) ? message.map(String).join(" ") : String(message))
  })
  return Effect.runPromise(
    scenario(captured).pipe(Effect.scoped, Effect.provide(Logger.replace(Logger.defaultLogger, capture)), Effect.provide(TestContext.TestContext)),
  )
}

const parse = (line: string): { readonly done: bigint; readonly target: bigint } | undefined => {
  const m = /(\d+)\/(\d+) frames/.exec(line)
  return m === null ? undefined : { done: BigInt(m[1] ?? "0"), target: BigInt(m[2] ?? "0") }
}

describe("global consensus sync progress", () => {
  let run: Run | undefined
  const scenarioRun = async (): Promise<Run> => (run ??= await runScenario())

  test("a node several batches behind logs start, progress with done/target and a final line at the peer's head", async () => {
    const r = await scenarioRun()
    expect(r.caughtUp).toBe(true)
    const started = r.lines.filter((l) => l.startsWith("sync started"))
    const progress = r.lines.filter((l) => l.startsWith("sync progress")).map(parse)
    const finished = r.lines.filter((l) => l.startsWith("sync finished"))
    expect(started).toHaveLength(1)
    expect(started[0]).toStartWith("sync started from node-0: at frame 0, peer head ")
    expect(r.lines.filter((l) => l.startsWith("sync stopped"))).toEqual([])
    // One line per adopted batch short of the head (interval 0): at least the two full batches.
    expect(progress.length).toBeGreaterThanOrEqual(2)
    for (const p of progress) expect(p !== undefined && p.done < p.target).toBe(true)
    for (let i = 1; i < progress.length; i++) expect((progress[i]?.done ?? 0n) > (progress[i - 1]?.done ?? 0n)).toBe(true)
    expect(finished).toHaveLength(1)
    const final = parse(finished[0] ?? "")
    expect(final).toBeDefined()
    expect(final?.done).toBe(final?.target)
    expect(finished[0]).toContain("(100.0%)")
    expect(r.head1 >= (final?.target ?? 0n)).toBe(true)
  }, 120_000)

  test("the targets are the heads node 0 announced in its sync answers; the gauges end at the target", async () => {
    const r = await scenarioRun()
    const started = parse(r.lines.find((l) => l.startsWith("sync started"))?.replace(/at frame (\d+), peer head (\d+)/, "$1/$2 frames") ?? "")
    const progress = r.lines.filter((l) => l.startsWith("sync progress")).map(parse)
    const final = parse(r.lines.find((l) => l.startsWith("sync finished")) ?? "")
    expect(r.servedHeads.length).toBeGreaterThanOrEqual(3)
    // The first answer (frames 1..256) started the run with the head it announced.
    expect(started?.target).toBe(r.servedHeads[0])
    expect((started?.target ?? 0n) >= r.startHead0).toBe(true)
    for (const p of progress) expect(r.servedHeads).toContain(p?.target ?? -1n)
    expect(r.servedHeads).toContain(final?.target ?? -1n)
    expect(final?.target).toBe(BigInt(r.gauges[1]))
    expect(r.gauges[0]).toBe(r.gauges[1])
  }, 120_000)

  test("a catch-up of a couple of frames logs no progress", async () => {
    const r = await scenarioRun()
    expect(r.short.behind >= 1n && r.short.behind <= 5n).toBe(true)
    expect(r.short.answers.length).toBeGreaterThanOrEqual(1)
    expect(r.short.caughtUp).toBe(true)
    expect(r.short.lines).toEqual([])
  }, 120_000)
})
