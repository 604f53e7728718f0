// One real-clock devnet run for the consensus latency benchmark. Publish times come from the in-memory
// network's interceptor (the moment the leader hands its proposal to the transport, once per frame);
// commit times from the harness's `onCommitted` hook (synchronously, on each node's actor fiber).
import { Effect, Logger, LogLevel, Redacted } from "effect"
import type { GlobalConsensusTiming } from "../../../actors/consensus/global/config.ts"
import { makeBls } from "../../../crates/ts/bls/bls.ts"
import { makeBlsVerifyPool } from "../../../crates/ts/bls/verify-pool.ts"
import { poseidonHashBytes } from "../../../crates/ts/poseidon.ts"
import { makeVdf } from "../../../crates/ts/vdf/vdf.ts"
import { makeBlsProverSigner, makeBlsVerifier } from "../../../crates/ts/bls/bls-live.ts"
import { TypePrefix } from "../../../actors/consensus/core/canonical/type-prefix.ts"
import { decodeGlobalProposal } from "../../../actors/consensus/core/messages/proposals.ts"
import { frameVdfFromVdf } from "../../../crates/ts/vdf/frame-vdf-live.ts"
import { insecureTestBlsVerifier, makeInsecureTestSigner } from "../../../runtime/testing/insecure-test-bls.ts"
import { insecureTestVdf } from "../../../runtime/testing/insecure-test-vdf.ts"
import { type DevnetCrypto, makeDevnet, memoizedPoseidon } from "../../../runtime/testing/devnet.ts"
import { type CryptoTimeline, type Interval, makeCryptoTimeline, timedSigner, timedVdf, timedVerifier } from "./timed-crypto.ts"

export interface LatencyRunOptions {
  readonly nodes: number
  /** Frames 1..frames must commit on every node; leaders keep proposing a few beyond so they can. */
  readonly frames: number
  readonly difficulty: number
  /** Real BLS48-581 + native VDF, or the insecure stand-ins (the in-run baseline). */
  readonly crypto: "real" | "insecure"
  /** Wall-clock bound: the run stops here whether or not every frame committed. */
  readonly maxWallMs: number
  /** Pacemaker timing; the devnet profile (600 ms minimum replica timeout) by default. */
  readonly timing?: GlobalConsensusTiming
  /** Real crypto only: BLS verify Worker threads (0 = verify on the main thread, as bun:ffi calls run). */
  readonly verifyWorkers?: number
}

export interface FrameTiming {
  readonly frameNumber: bigint
  /** performance.now() when the leader first sent the proposal that became this frame. */
  readonly publishedAt: number
  /** Commit times on each node that committed it, ascending. */
  readonly commitsAt: ReadonlyArray<number>
}

export interface LatencyRunResult {
  readonly frames: ReadonlyArray<FrameTiming>
  readonly intervals: ReadonlyArray<Interval>
  readonly wallMs: number
  readonly complete: boolean
  readonly timeoutsSent: number
  readonly tcsBuilt: number
  readonly rejections: number
  readonly messagesDelivered: number
  /** Real crypto only: solve times at the run's difficulty measured before the devnet started. */
  readonly idleSolveMs: ReadonlyArray<number>
}

const frameKey = (frameNumber: bigint, rank: bigint): string => `${frameNumber}:${rank}`

const isProposal = (data: Uint8Array): boolean =>
  data.length >= 4 && new DataView(data.buffer, data.byteOffset, 4).getUint32(0, false) === TypePrefix.GlobalProposal

const ikm = (index: number): Uint8Array => {
  const b = new Uint8Array(32)
  new DataView(b.buffer).setUint32(0, 0x62656e63) // "benc"
  new DataView(b.buffer).setUint32(4, index)
  return b
}

const realCrypto = (timeline: CryptoTimeline, nodes: number, difficulty: number, verifyWorkers: number) =>
  Effect.gen(function* () {
    const bls = yield* makeBls()
    const pool = verifyWorkers > 0 ? yield* makeBlsVerifyPool(verifyWorkers) : undefined
    const indices = Array.from({ length: nodes }, (_, i) => i)
    // One verifier and one FrameVdf per node (own caches of verified inputs, as in separate node
    // processes); the native library, the verify Worker pool and the VDF solver are shared hardware.
    const verifiers = yield* Effect.forEach(indices, () => makeBlsVerifier(bls, pool))
    const signers = yield* Effect.forEach(indices, (i) => makeBlsProverSigner(bls, Redacted.make(ikm(i))))
    const nativeVdf = yield* makeVdf
    const vdfs = indices.map(() => frameVdfFromVdf(nativeVdf))
    const vdf = frameVdfFromVdf(nativeVdf)
    // Calibration: solves at the run's difficulty on an otherwise idle process (the in-run interval may
    // also hold the wait for the busy event loop to take the Worker's answer). Solve time varies with
    // the challenge (its discriminant), so several challenges; the first solve warms the Worker up.
    const idleSolveMs: Array<number> = []
    for (let i = 0; i < 8; i++) {
      const t0 = performance.now()
      yield* vdf.solve(ikm(100 + i), difficulty)
      if (i > 0) idleSolveMs.push(performance.now() - t0)
    }
    const crypto: DevnetCrypto = {
      signers: signers.map((s) => timedSigner(timeline, s)),
      verifiers: verifiers.map((v) =>
        timedVerifier(
          timeline,
          v,
          signers.map((x) => x.publicKey),
        ),
      ),
      vdfs: vdfs.map((v) => timedVdf(timeline, v)),
    }
    return { crypto, idleSolveMs }
  })

const insecureCrypto = (timeline: CryptoTimeline, nodes: number): DevnetCrypto => {
  const poseidon = memoizedPoseidon(poseidonHashBytes)
  const signers = Array.from({ length: nodes }, (_, i) => makeInsecureTestSigner(ikm(i), poseidon))
  const verifier = timedVerifier(
    timeline,
    insecureTestBlsVerifier,
    signers.map((x) => x.publicKey),
  )
  return {
    signers: signers.map((x) => timedSigner(timeline, x)),
    verifiers: signers.map(() => verifier),
    vdfs: signers.map(() => timedVdf(timeline, insecureTestVdf)),
  }
}

export const latencyRun = (o: LatencyRunOptions) =>
  Effect.gen(function* () {
    const timeline = makeCryptoTimeline()
    const { crypto, idleSolveMs } =
      o.crypto === "real"
        ? yield* realCrypto(timeline, o.nodes, o.difficulty, o.verifyWorkers ?? 0)
        : { crypto: insecureCrypto(timeline, o.nodes), idleSolveMs: [] }
    const published = new Map<string, number>()
    const committed = new Map<string, Array<number>>()
    const committedCount = Array.from({ length: o.nodes }, () => 0)
    const target = BigInt(o.frames)
    const devnet = yield* makeDevnet({
      nodes: o.nodes,
      seed: 1,
      crypto,
      consensus: {
        genesisDifficulty: o.difficulty,
        difficulty: () => o.difficulty,
        stopAfterFrame: target + 2n,
        ...(o.timing === undefined ? {} : { timing: o.timing }),
      },
      onCommitted: (index, frames) => {
        const now = performance.now()
        for (const f of frames) {
          const key = frameKey(f.frame.header.frameNumber, f.frame.header.rank)
          const list = committed.get(key) ?? []
          list.push(now)
          committed.set(key, list)
          if (f.frame.header.frameNumber <= target) committedCount[index] = (committedCount[index] ?? 0) + 1
        }
      },
    })
    // No byzantine nodes here, so the harness's own interceptor is not needed: this one only observes.
    devnet.network.intercept((m) => {
      if (isProposal(m.data)) {
        const now = performance.now()
        const decoded = decodeGlobalProposal(m.data)
        if (decoded._tag === "Right") {
          const h = decoded.right.state.header
          const key = frameKey(h.frameNumber, h.rank)
          if (!published.has(key)) published.set(key, now)
        }
      }
      return [m.data]
    })
    const start = performance.now()
    let complete = false
    while (performance.now() - start < o.maxWallMs) {
      if (committedCount.every((c) => c >= o.frames)) {
        complete = true
        break
      }
      yield* Effect.sleep(20)
    }
    const wallMs = performance.now() - start
    const statuses = yield* devnet.statuses
    const frames: Array<FrameTiming> = []
    for (const [key, commitsAt] of committed) {
      const publishedAt = published.get(key)
      const frameNumber = BigInt(key.split(":")[0] ?? "0")
      if (publishedAt === undefined || frameNumber > target) continue
      frames.push({ frameNumber, publishedAt, commitsAt: [...commitsAt].sort((a, b) => a - b) })
    }
    frames.sort((a, b) => (a.frameNumber < b.frameNumber ? -1 : 1))
    const result: LatencyRunResult = {
      frames,
      intervals: timeline.intervals,
      wallMs,
      complete,
      timeoutsSent: statuses.reduce((a, s) => a + s.timeoutsSent, 0),
      tcsBuilt: statuses.reduce((a, s) => a + s.tcsBuilt, 0),
      rejections: statuses.reduce((a, s) => a + s.rejections.length, 0),
      messagesDelivered: devnet.network.stats().delivered,
      idleSolveMs,
    }
    return result
  }).pipe(Effect.scoped, Logger.withMinimumLogLevel(LogLevel.Error))
