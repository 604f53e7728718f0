// The registry's prover summaries as the admin API shows them (GET /v1/provers): bytes as hex, u64
// values as decimal strings, the reward in raw units and in QUIL.
import { bytesToHex } from "@noble/hashes/utils.js"
import { formatQuil } from "../../actors/consensus/core/reward/quil-amount.ts"
import type { ProverRecord, ProverSummary } from "../../actors/prover-registry/index.ts"
import type { ProverView } from "../api/backend.ts"

type Allocation = ProverRecord["allocations"][number]

const latest = (...frames: ReadonlyArray<bigint | undefined>): bigint => frames.reduce<bigint>((m, f) => (f !== undefined && f > m ? f : m), 0n)

/** The frame the allocation's stored status began at (its §8.1 frame numbers only grow, so the newest one of the kind wins). */
const sinceFrame = (a: Allocation): bigint => {
  switch (a.status) {
    case "Joining":
      return a.joinFrameNumber
    case "Active":
      return latest(a.joinFrameNumber, a.joinConfirmFrameNumber, a.resumeFrameNumber)
    case "Paused":
      return latest(a.pauseFrameNumber)
    case "Leaving":
      return latest(a.leaveFrameNumber)
    case "Rejected":
      return latest(a.leaveConfirmFrameNumber, a.joinRejectFrameNumber, a.kickFrameNumber)
    case "Kicked":
      return latest(a.kickFrameNumber)
  }
}

export const proverView = (summary: ProverSummary): ProverView => {
  const { record } = summary
  const globalIndex = record.allocations.findIndex((a) => a.filter.length === 0)
  return {
    address: bytesToHex(record.address),
    status: record.status,
    seniority: String(record.seniority),
    // Shard rewards rank provers within the global committee today (core D-REWARD-5).
    ring: summary.rings[globalIndex] ?? null,
    delegate: bytesToHex(record.delegateAddress ?? record.address),
    reward: String(summary.reward),
    rewardQuil: formatQuil(summary.reward),
    allocations: record.allocations.map((a, i) => ({
      filter: bytesToHex(a.filter),
      status: a.status,
      ring: summary.rings[i] ?? null,
      joinFrameNumber: String(a.joinFrameNumber),
      since: String(sinceFrame(a)),
      lastActiveFrameNumber: String(a.lastActiveFrameNumber),
    })),
  }
}
