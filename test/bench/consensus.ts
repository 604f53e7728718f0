// `bun run bench consensus [frames=20] [difficulty=1000] [max-s=35] [testclock-frames=30] [verify-workers=2]`
// (≈ 45 s by default; max-s bounds the real-crypto run, which stops there even if not every frame committed;
// verify-workers = BLS verify Worker threads of the real-crypto verifier, 0 = on the main thread)
//
// 1. The benchmark: a 4-node in-memory devnet on the REAL clock with the REAL crypto
//    (BLS48-581 signatures, native Wesolowski VDF at a small difficulty, default 1,000 iterations).
//    Per frame: latency = (the frame committed on all 4 nodes) − (its leader handed the proposal to the
//    transport); the quorum variant stops at the 3rd node (⌊2n/3⌋+1 = 3, D-GC-1). Commits follow the
//    2-chain rule (D-GC-2), so a frame commits once its child is certified: the window holds the
//    child's VDF solve. `_ex_vdf` subtracts the union of all VDF solve/verify intervals inside the
//    window (measured by a timing wrapper around FrameVdf); VDF solve/verify are reported on their own.
//    `baseline_p50_ms=250` is the TARGET (p50 ≤ 250 ms excluding VDF; the reference's launch
//    criterion is 500 ms), not a measured baseline: nothing else runs a 4-node devnet. The measured
//    in-run baseline is the same devnet with the insecure stand-in crypto (`ratio_vs_insecure`).
//    The first WARMUP frames (JIT, key caches) are excluded from latency statistics.
//    The four nodes share one BLS verifier and one FrameVdf, whose caches of verified inputs
//    (actors/consensus/core/DECISIONS.md D-LIVE-3) make each distinct signature / proof cost one check in
//    the process, not one per node. With verify Workers the `bls_*_ms` breakdown below is time waited
//    (queueing included), not thread time, and `main_thread_busy` counts those waits.
// 2. The insecure-crypto TestClock run (frames per wall second, virtual ms per frame), and the cost of
//    decoding consensus traffic.
import { Clock, Effect, Logger, LogLevel, TestContext } from "effect"
import { devnetTiming, type GlobalConsensusTiming } from "../../actors/consensus/global/config.ts"
import { decodeWire } from "../../actors/consensus/global/wire.ts"
import { makeDevnet } from "../../runtime/testing/devnet.ts"
import { encodeProposalVote, ProposalVote } from "../../actors/consensus/core/messages/proposal-vote.ts"
import { BLS48581AddressedSignature } from "../../actors/consensus/core/messages/signatures.ts"
import { type FrameTiming, latencyRun, type LatencyRunResult } from "./consensus/latency-run.ts"
import { coveredMs, type CryptoOp } from "./consensus/timed-crypto.ts"
import { opsPerSecond, reportValues } from "./report.ts"

const TARGET_P50_MS = 250

/**
 * The devnet pacemaker (600 ms minimum replica timeout) assumes free crypto: with real BLS all four
 * nodes' verifications share this process's one JS thread (~50 ms each), a round takes longer than
 * 600 ms, every rank times out and nothing commits. The real-crypto run therefore uses longer timeouts
 * (still far below the reference's 36 s), so it measures the happy path.
 */
const realCryptoTiming: GlobalConsensusTiming = {
  ...devnetTiming,
  timeouts: { ...devnetTiming.timeouts, minReplicaTimeoutMs: 10_000, maxReplicaTimeoutMs: 30_000, maxTimeoutStateRebroadcastIntervalMs: 3_000 },
}
const WARMUP = 2
const NODES = 4
const QUORUM = Math.floor((2 * NODES) / 3) + 1

const devnetRun = (nodes: number, frames: bigint) =>
  Effect.gen(function* () {
    const devnet = yield* makeDevnet({ nodes, seed: 1, consensus: { stopAfterFrame: frames + 1n } })
    const start = performance.now()
    const done = Effect.map(devnet.statuses, (all) => all.every((s) => s.committedHead.frameNumber >= frames))
    yield* devnet.runUntil(done, { maxMs: 600_000, stepMs: 100 })
    const wallMs = performance.now() - start
    const virtualMs = yield* Clock.currentTimeMillis
    const stats = devnet.network.stats()
    return { wallMs, virtualMs, messages: stats.delivered }
  }).pipe(Effect.scoped, Effect.provide(TestContext.TestContext), Logger.withMinimumLogLevel(LogLevel.Error))

/** Nearest-rank percentile of a non-empty sample (NaN when empty). */
const percentile = (values: ReadonlyArray<number>, p: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
}

const VDF_OPS: ReadonlyArray<CryptoOp> = ["vdf.solve", "vdf.verify", "vdf.verifyMulti"]

interface Latencies {
  readonly frames: ReadonlyArray<FrameTiming>
  readonly all: ReadonlyArray<number>
  readonly quorum: ReadonlyArray<number>
  readonly allExVdf: ReadonlyArray<number>
  readonly vdfInWindow: ReadonlyArray<number>
}

const latencies = (r: LatencyRunResult): Latencies => {
  const vdf = r.intervals.filter((i) => VDF_OPS.includes(i.op))
  const frames = r.frames.filter((f) => f.frameNumber > BigInt(WARMUP))
  const all: Array<number> = []
  const quorum: Array<number> = []
  const allExVdf: Array<number> = []
  const vdfInWindow: Array<number> = []
  for (const f of frames) {
    const q = f.commitsAt[QUORUM - 1]
    if (q !== undefined) quorum.push(q - f.publishedAt)
    const last = f.commitsAt[NODES - 1]
    if (last === undefined) continue
    const inWindow = coveredMs(vdf, f.publishedAt, last)
    all.push(last - f.publishedAt)
    allExVdf.push(last - f.publishedAt - inWindow)
    vdfInWindow.push(inWindow)
  }
  return { frames, all, quorum, allExVdf, vdfInWindow }
}

/** Steady-state commit rate: frames committed on every node between the first and last measured frame. */
const framesPerSecond = (frames: ReadonlyArray<FrameTiming>): number => {
  const done = frames.map((f) => f.commitsAt[NODES - 1]).filter((t): t is number => t !== undefined)
  const first = done[0]
  const last = done[done.length - 1]
  return first === undefined || last === undefined || done.length < 2 ? Number.NaN : (done.length - 1) / ((last - first) / 1000)
}

const durations = (r: LatencyRunResult, op: CryptoOp): ReadonlyArray<number> => r.intervals.filter((i) => i.op === op).map((i) => i.end - i.start)
const sum = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0)

const option = (args: ReadonlyArray<string>, name: string, fallback: number): number => {
  const arg = args.find((a) => a.startsWith(`${name}=`))
  const value = arg === undefined ? fallback : Number(arg.slice(name.length + 1))
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number`)
  return value
}

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  // Defaults keep the whole suite near 45 s on an idle 2-core machine (≈ 1.3 s per real-crypto frame).
  const frames = option(args, "frames", 20)
  const difficulty = option(args, "difficulty", 1_000)
  const maxWallMs = option(args, "max-s", 35) * 1000
  const testClockFrames = option(args, "testclock-frames", 30)
  const verifyWorkersArg = args.find((a) => a.startsWith("verify-workers="))
  const verifyWorkers = verifyWorkersArg === undefined ? 2 : Number(verifyWorkersArg.slice("verify-workers=".length))
  if (!Number.isInteger(verifyWorkers) || verifyWorkers < 0) throw new RangeError("verify-workers must be a non-negative integer")

  // 1. Real crypto, real clock.
  const real = await Effect.runPromise(latencyRun({ nodes: NODES, frames, difficulty, crypto: "real", maxWallMs, timing: realCryptoTiming, verifyWorkers }))
  const rl = latencies(real)
  const p50 = percentile(rl.all, 50)
  const p50ExVdf = percentile(rl.allExVdf, 50)
  reportValues("consensus.commit_latency", {
    p50_ms: p50,
    p99_ms: percentile(rl.all, 99),
    baseline_p50_ms: TARGET_P50_MS,
    ratio: p50 / TARGET_P50_MS,
    frames: rl.all.length,
  })
  reportValues("consensus.commit_latency_quorum", { p50_ms: percentile(rl.quorum, 50), p99_ms: percentile(rl.quorum, 99), quorum: QUORUM })
  reportValues("consensus.commit_latency_ex_vdf", {
    p50_ms: p50ExVdf,
    p99_ms: percentile(rl.allExVdf, 99),
    baseline_p50_ms: TARGET_P50_MS,
    ratio: p50ExVdf / TARGET_P50_MS,
    vdf_in_window_p50_ms: percentile(rl.vdfInWindow, 50),
  })
  const solves = durations(real, "vdf.solve")
  const verifies = durations(real, "vdf.verify")
  // In-run solve intervals may include waiting for the shared event loop (busy with other nodes' BLS)
  // to take the Worker's answer; idle_p50_ms is solves at the same difficulty measured alone before the
  // run. So `_ex_vdf` above, which subtracts the in-run intervals, is a lower bound on non-VDF latency.
  reportValues("consensus.vdf_solve", {
    p50_ms: percentile(solves, 50),
    p99_ms: percentile(solves, 99),
    idle_p50_ms: percentile(real.idleSolveMs, 50),
    difficulty,
    solves: solves.length,
  })
  reportValues("consensus.vdf_verify", { p50_ms: percentile(verifies, 50), p99_ms: percentile(verifies, 99), verifies: verifies.length })
  reportValues("consensus.frames_per_s", { value: framesPerSecond(rl.frames) })
  // Where a round's time goes: crypto wall time summed over all nodes (they share one thread, except
  // the VDF solve, which runs in the solver Worker), per committed frame, and the call counts.
  const committedFrames = Math.max(1, real.frames.filter((f) => f.commitsAt.length === NODES).length)
  const ops: ReadonlyArray<CryptoOp> = [
    "bls.verify",
    "bls.verifyAggregate",
    "bls.verifyMultiMessage",
    "bls.aggregatePublicKeys",
    "bls.aggregateSignatures",
    "bls.sign",
    "vdf.solve",
    "vdf.verify",
  ]
  const breakdown: Record<string, number> = {}
  for (const op of ops) {
    const d = durations(real, op)
    const name = op.replace(".", "_")
    breakdown[`${name}_ms`] = sum(d) / committedFrames
    breakdown[`${name}_n`] = d.length / committedFrames
  }
  reportValues("consensus.crypto_per_frame", breakdown)
  // Share of the measured span during which the one JS thread was inside BLS or VDF-verify calls.
  const firstPublish = Math.min(...real.frames.map((f) => f.publishedAt))
  const lastCommit = Math.max(...real.frames.flatMap((f) => f.commitsAt))
  const onThread = real.intervals.filter((i) => i.op !== "vdf.solve")
  const blsOnly = real.intervals.filter((i) => i.op.startsWith("bls."))
  const span = lastCommit - firstPublish
  reportValues("consensus.main_thread_busy", {
    crypto_pct: (100 * coveredMs(onThread, firstPublish, lastCommit)) / span,
    bls_pct: (100 * coveredMs(blsOnly, firstPublish, lastCommit)) / span,
  })
  reportValues("consensus.real_run", {
    complete: real.complete ? 1 : 0,
    wall_s: real.wallMs / 1000,
    timeouts_sent: real.timeoutsSent,
    tcs_built: real.tcsBuilt,
    rejections: real.rejections,
    messages_per_frame: real.messagesDelivered / committedFrames,
  })

  // In-run baseline: the same real-clock devnet with the insecure stand-ins (no crypto cost, no VDF work).
  const insecure = await Effect.runPromise(latencyRun({ nodes: NODES, frames, difficulty, crypto: "insecure", maxWallMs: Math.min(maxWallMs, 15_000) }))
  const il = latencies(insecure)
  const ip50 = percentile(il.all, 50)
  reportValues("consensus.insecure.commit_latency", {
    p50_ms: ip50,
    p99_ms: percentile(il.all, 99),
    frames: il.all.length,
    frames_per_s: framesPerSecond(il.frames),
  })
  reportValues("consensus.commit_latency_vs_insecure", { real_p50_ms: p50, baseline_p50_ms: ip50, ratio: p50 / ip50 })

  // 2. Insecure crypto under TestClock (virtual time): throughput of the consensus machinery itself.
  for (const nodes of [4, 7]) {
    const r = await Effect.runPromise(devnetRun(nodes, BigInt(testClockFrames)))
    reportValues(`consensus.devnet${nodes}`, {
      frames: testClockFrames,
      frames_per_s: testClockFrames / (r.wallMs / 1000),
      virtual_ms_per_frame: r.virtualMs / testClockFrames,
      messages_per_frame: r.messages / testClockFrames,
    })
  }
  const vote = encodeProposalVote(
    new ProposalVote({
      filter: new Uint8Array(),
      rank: 7n,
      frameNumber: 6n,
      selector: new Uint8Array(32).fill(1),
      timestamp: 1n,
      publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature: new Uint8Array(74), address: new Uint8Array(32) }),
    }),
  )
  const ops_ = await opsPerSecond(
    (k) => {
      for (let i = 0; i < k; i++) decodeWire(vote)
    },
    { batch: 1000 },
  )
  reportValues("consensus.decodeVote", { ops_per_s: ops_ })
}
