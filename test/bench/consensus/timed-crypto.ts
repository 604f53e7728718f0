// Timing wrappers around the consensus crypto services: every call is recorded as a wall-clock
// interval (performance.now) tagged with its operation, so the benchmark can report VDF time on its
// own, subtract it from commit latency, and break a round's cost down by crypto operation.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect } from "effect"
import type { BlsVerifierService, FrameVdfService, ProverSignerService } from "../../../crates/ts/services.ts"

export type CryptoOp =
  | "vdf.solve"
  | "vdf.verify"
  | "vdf.solveMulti"
  | "vdf.verifyMulti"
  | "bls.sign"
  | "bls.verify"
  | "bls.verifyAggregate"
  | "bls.aggregatePublicKeys"
  | "bls.aggregateSignatures"
  | "bls.verifyMultiMessage"

export interface Interval {
  readonly op: CryptoOp
  readonly start: number
  readonly end: number
}

export interface CryptoTimeline {
  readonly intervals: Array<Interval>
  readonly timed: <A, E>(op: CryptoOp, effect: Effect.Effect<A, E>) => Effect.Effect<A, E>
}

export const makeCryptoTimeline = (): CryptoTimeline => {
  const intervals: Array<Interval> = []
  return {
    intervals,
    // The BLS and VDF-verify calls are synchronous native work inside the effect, the solve waits on
    // the solver Worker: either way the interval is what the calling node waited.
    timed: (op, effect) =>
      Effect.suspend(() => {
        const start = performance.now()
        return Effect.ensuring(
          effect,
          Effect.sync(() => intervals.push({ op, start, end: performance.now() })),
        )
      }),
  }
}

export const timedVdf = (t: CryptoTimeline, vdf: FrameVdfService): FrameVdfService => ({
  solve: (challenge, difficulty) => t.timed("vdf.solve", vdf.solve(challenge, difficulty)),
  solveMulti: (challenge, difficulty, ids, index) => t.timed("vdf.solveMulti", vdf.solveMulti(challenge, difficulty, ids, index)),
  verify: (challenge, difficulty, output) => t.timed("vdf.verify", vdf.verify(challenge, difficulty, output)),
  verifyMulti: (challenge, difficulty, ids, outputs) => t.timed("vdf.verifyMulti", vdf.verifyMulti(challenge, difficulty, ids, outputs)),
})

/**
 * `verify` under one of `signerKeys` (a vote, or a proposer's own vote) is recorded as `bls.verify`;
 * under any other key (an aggregate: a QC) as `bls.verifyAggregate`.
 */
export const timedVerifier = (t: CryptoTimeline, v: BlsVerifierService, signerKeys: ReadonlyArray<Uint8Array>): BlsVerifierService => {
  const singles = new Set(signerKeys.map((k) => bytesToHex(k)))
  return {
    verify: (publicKey, signature, message, domain) =>
      t.timed(singles.has(bytesToHex(publicKey)) ? "bls.verify" : "bls.verifyAggregate", v.verify(publicKey, signature, message, domain)),
    aggregatePublicKeys: (publicKeys) => t.timed("bls.aggregatePublicKeys", v.aggregatePublicKeys(publicKeys)),
    aggregateSignatures: (signatures) => t.timed("bls.aggregateSignatures", v.aggregateSignatures(signatures)),
    verifyMultiMessage: (publicKeys, messages, signature, domain) =>
      t.timed("bls.verifyMultiMessage", v.verifyMultiMessage(publicKeys, messages, signature, domain)),
  }
}

export const timedSigner = (t: CryptoTimeline, s: ProverSignerService): ProverSignerService => ({
  publicKey: s.publicKey,
  address: s.address,
  sign: (message, domain) => t.timed("bls.sign", s.sign(message, domain)),
})

/** Total length of the union of `intervals` clipped to [from, to] (overlapping calls counted once). */
export const coveredMs = (intervals: ReadonlyArray<Interval>, from: number, to: number): number => {
  const clipped = intervals
    .filter((i) => i.end > from && i.start < to)
    .map((i) => [Math.max(i.start, from), Math.min(i.end, to)] as const)
    .sort((a, b) => a[0] - b[0])
  let total = 0
  let cursor = from
  for (const [s, e] of clipped) {
    const begin = Math.max(s, cursor)
    if (e > begin) {
      total += e - begin
      cursor = e
    }
  }
  return total
}
