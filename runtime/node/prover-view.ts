// The registry's prover summaries as the admin API shows them (GET /v1/provers): bytes as hex, u64
// values as decimal strings, the reward in raw units and in QUIL.
import { bytesToHex } from "@noble/hashes/utils.js"
import { formatQuil } from "../../actors/consensus/core/reward/quil-amount.ts"
import type { ProverSummary } from "../../actors/prover-registry/index.ts"
import type { ProverView } from "../api/backend.ts"

export const proverView = (summary: ProverSummary): ProverView => {
  const { record } = summary
  const globalIndex = record.allocations.findIndex((a) => a.filter.length === 0)
  return {
    address: bytesToHex(record.address),
    status: record.status,
    seniority: String(record.seniority),
    // Shard rewards rank provers within the global committee today (core D-REWARD-5).
    ring: summary.rings[globalIndex] ?? null,
    reward: String(summary.reward),
    rewardQuil: formatQuil(summary.reward),
    allocations: record.allocations.map((a, i) => ({
      filter: bytesToHex(a.filter),
      status: a.status,
      ring: summary.rings[i] ?? null,
      joinFrameNumber: String(a.joinFrameNumber),
      lastActiveFrameNumber: String(a.lastActiveFrameNumber),
    })),
  }
}
