// What an engine remembers for operators and tests: penalties per peer, the recent rejections (reason =
// the rejection's tag), equivocations and conflicting finalizations, and its counters. The shapes are
// those of the status message (actors/consensus/global/protocol.ts ConsensusStatus).
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Metric } from "effect"
import type { Rejected } from "./consensus-errors.ts"
import { proposalsRejectedTotal } from "./metrics.ts"

const MAX_RECORDS = 200

export interface Rejection {
  readonly from: string
  /** Hex prover address the message claims, when it has one. */
  readonly prover: string
  readonly kind: "proposal" | "vote" | "timeout" | "sync" | "undecodable"
  readonly reason: string
  readonly detail: string
}

export interface Equivocation {
  readonly kind: "double-proposal" | "double-vote"
  readonly rank: bigint
  /** Hex address of the equivocating prover. */
  readonly prover: string
  readonly selectors: ReadonlyArray<string>
}

export interface Counters {
  proposed: number
  votesSent: number
  timeoutsSent: number
  qcsBuilt: number
  tcsBuilt: number
  /** Distinct equivocations recorded (the list below keeps only the newest 200). */
  equivocationsDetected: number
}

interface FrameSummary {
  readonly frameNumber: bigint
  readonly rank: bigint
  readonly selector: string
}

export interface EngineStatus extends Readonly<Counters> {
  readonly peerId: string
  readonly address: string
  readonly currentRank: bigint
  readonly newestQcRank: bigint
  readonly committedHead: FrameSummary
  readonly latestAcknowledgedRank: bigint
  readonly highestVotedParentRank: bigint
  readonly failedRounds: number
  readonly penalties: Readonly<Record<string, number>>
  readonly rejections: ReadonlyArray<Rejection>
  readonly equivocations: ReadonlyArray<Equivocation>
  readonly conflicts: ReadonlyArray<string>
}

export class ConsensusRecords {
  readonly penalties = new Map<string, number>()
  readonly rejections: Array<Rejection> = []
  readonly equivocations: Array<Equivocation> = []
  /** Conflicting finalizations seen (must stay empty: more than a third byzantine). */
  readonly conflicts: Array<string> = []
  readonly counters: Counters = { proposed: 0, votesSent: 0, timeoutsSent: 0, qcsBuilt: 0, tcsBuilt: 0, equivocationsDetected: 0 }

  private penalize(from: string): void {
    this.penalties.set(from, (this.penalties.get(from) ?? 0) + 1)
  }

  /** A refused message: its sender is penalized, the rejection (reason = the error's tag) recorded and logged. */
  reject(from: string, prover: Uint8Array, kind: Rejection["kind"], error: Rejected): Effect.Effect<void> {
    const reason = error._tag
    const detail = error.detail
    return Effect.gen(this, function* () {
      this.penalize(from)
      this.rejections.push({ from, prover: bytesToHex(prover), kind, reason, detail })
      if (kind === "proposal") yield* Metric.increment(Metric.tagged(proposalsRejectedTotal, "reason", reason))
      if (this.rejections.length > MAX_RECORDS) this.rejections.shift()
      yield* Effect.logWarning(`rejected ${kind} from ${from}: ${reason}`).pipe(Effect.annotateLogs({ detail }))
    })
  }

  /** Two signed messages of one prover at one rank; recorded once per (kind, rank, prover). */
  equivocation(kind: Equivocation["kind"], rank: bigint, prover: Uint8Array, selectors: ReadonlyArray<string>, from: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const address = bytesToHex(prover)
      if (this.equivocations.some((e) => e.kind === kind && e.rank === rank && e.prover === address)) return
      this.equivocations.push({ kind, rank, prover: address, selectors: [...selectors] })
      this.counters.equivocationsDetected++
      if (this.equivocations.length > MAX_RECORDS) this.equivocations.shift()
      this.penalize(from)
      yield* Effect.logWarning(`${kind} by ${address.slice(0, 16)} at rank ${rank}`)
    })
  }

  conflict(detail: string): void {
    this.conflicts.push(detail)
  }

  /** The record part of the status, copied so later records do not change an answer already given. */
  snapshot() {
    return {
      ...this.counters,
      penalties: Object.fromEntries(this.penalties),
      rejections: [...this.rejections],
      equivocations: [...this.equivocations],
      conflicts: [...this.conflicts],
    }
  }
}
