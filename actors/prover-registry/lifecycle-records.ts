// The registry's rows and the global intrinsic's lifecycle records are the same §8.1 data: these map one
// to the other, so the registry can run the intrinsic's pure lifecycle step over what it stores (D-REG-7).
// Absent frame numbers (rows written before the lifecycle existed, genesis rows) read as 0 and an absent
// delegate as the prover itself.
import type { LifecycleProver, LifecycleState } from "../../intrinsics/global/index.ts"
import type { ProverRecord } from "./prover-record.ts"

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")

const toLifecycleProver = (r: ProverRecord): LifecycleProver => ({
  address: r.address,
  publicKey: r.publicKey,
  status: r.status,
  seniority: r.seniority,
  kickFrameNumber: r.kickFrameNumber,
  delegateAddress: r.delegateAddress ?? r.address,
  allocations: r.allocations.map((a) => ({
    filter: a.filter,
    status: a.status,
    joinFrameNumber: a.joinFrameNumber,
    joinConfirmFrameNumber: a.joinConfirmFrameNumber ?? 0n,
    joinRejectFrameNumber: a.joinRejectFrameNumber ?? 0n,
    leaveFrameNumber: a.leaveFrameNumber ?? 0n,
    leaveConfirmFrameNumber: a.leaveConfirmFrameNumber ?? 0n,
    leaveRejectFrameNumber: a.leaveRejectFrameNumber ?? 0n,
    pauseFrameNumber: a.pauseFrameNumber ?? 0n,
    resumeFrameNumber: a.resumeFrameNumber ?? 0n,
    kickFrameNumber: a.kickFrameNumber ?? 0n,
    lastActiveFrameNumber: a.lastActiveFrameNumber,
  })),
})

export const fromLifecycleProver = (p: LifecycleProver): ProverRecord => ({
  address: p.address,
  publicKey: p.publicKey,
  status: p.status,
  seniority: p.seniority,
  kickFrameNumber: p.kickFrameNumber,
  delegateAddress: p.delegateAddress,
  allocations: p.allocations.map((a) => ({ ...a })),
})

/** The lifecycle state over the registry's records (keys are lowercase hex addresses on both sides). */
export const toLifecycleState = (records: ReadonlyMap<string, ProverRecord>): LifecycleState =>
  new Map([...records.values()].map((r) => [hex(r.address), toLifecycleProver(r)]))
