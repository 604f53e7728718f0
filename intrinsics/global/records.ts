// The global intrinsic's state (consensus.md §8.1): a prover and its allocations, one per confirmation
// filter, with every frame number the lifecycle of §8.3 writes. Plain immutable data: validate reads it,
// apply returns a new value, so the whole lifecycle is a pure function of (records, op, frame, params).
// The status names are the registry enum of §8.1; "Rejected" is the wire's status 4, written for a
// rejected join, a confirmed leave, a kick and an eviction alike.

export type ProverStatus = "Joining" | "Active" | "Paused" | "Leaving" | "Rejected" | "Kicked"

export interface LifecycleAllocation {
  /** ConfirmationFilter: the shard address (32–64 bytes); empty for a global prover (genesis only). */
  readonly filter: Uint8Array
  readonly status: ProverStatus
  readonly joinFrameNumber: bigint
  readonly joinConfirmFrameNumber: bigint
  readonly joinRejectFrameNumber: bigint
  readonly leaveFrameNumber: bigint
  readonly leaveConfirmFrameNumber: bigint
  readonly leaveRejectFrameNumber: bigint
  readonly pauseFrameNumber: bigint
  readonly resumeFrameNumber: bigint
  readonly kickFrameNumber: bigint
  readonly lastActiveFrameNumber: bigint
}

export interface LifecycleProver {
  /** poseidon(publicKey), 32 bytes. */
  readonly address: Uint8Array
  readonly publicKey: Uint8Array
  readonly status: ProverStatus
  readonly seniority: bigint
  /** Non-zero once kicked or evicted: the prover can never join again (§8.3 join, §8.5). */
  readonly kickFrameNumber: bigint
  /** Where rewards go (`reward:ProverReward.DelegateAddress`): the given one, or the prover itself. */
  readonly delegateAddress: Uint8Array
  readonly allocations: ReadonlyArray<LifecycleAllocation>
}

/** Provers by lowercase hex address. */
export type LifecycleState = ReadonlyMap<string, LifecycleProver>

export const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** A fresh allocation: every frame number 0 but the ones given. */
export const newAllocation = (filter: Uint8Array, status: ProverStatus, fields: Partial<LifecycleAllocation> = {}): LifecycleAllocation => ({
  filter,
  status,
  joinFrameNumber: 0n,
  joinConfirmFrameNumber: 0n,
  joinRejectFrameNumber: 0n,
  leaveFrameNumber: 0n,
  leaveConfirmFrameNumber: 0n,
  leaveRejectFrameNumber: 0n,
  pauseFrameNumber: 0n,
  resumeFrameNumber: 0n,
  kickFrameNumber: 0n,
  lastActiveFrameNumber: 0n,
  ...fields,
})

export const allocationFor = (prover: LifecycleProver, filter: Uint8Array): LifecycleAllocation | undefined =>
  prover.allocations.find((a) => sameBytes(a.filter, filter))

/** The prover with the allocation for `filter` replaced (or appended when it has none). */
export const withAllocation = (prover: LifecycleProver, next: LifecycleAllocation): LifecycleProver => {
  const at = prover.allocations.findIndex((a) => sameBytes(a.filter, next.filter))
  const allocations = at < 0 ? [...prover.allocations, next] : prover.allocations.map((a, i) => (i === at ? next : a))
  return { ...prover, allocations }
}

export const withProver = (state: LifecycleState, prover: LifecycleProver): LifecycleState => new Map(state).set(hexOf(prover.address), prover)
