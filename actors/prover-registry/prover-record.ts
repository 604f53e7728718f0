// A prover as the registry keeps it (consensus.md §8.1–8.2): key, status, seniority and allocations.
// Stored as CBOR through this schema in the registry bucket; big integers are encoded as strings so
// any CBOR reader gets them back exactly.
import { Schema } from "effect"

/** The registry enum of §8.1 (the wire status bytes are mapped onto it by the execution layer). */
const ProverStatus = Schema.Literal("Joining", "Active", "Paused", "Leaving", "Rejected", "Kicked")

const Allocation = Schema.Struct({
  /** ConfirmationFilter: empty for the global committee, else the shard address (32–64 bytes). */
  filter: Schema.Uint8ArrayFromSelf,
  status: ProverStatus,
  joinFrameNumber: Schema.BigInt,
  /**
   * The global frame that last carried a certified shard frame this prover signed for (§4.5 step 3): the
   * liveness eviction reads. Rows written before it existed decode as 0 ("never active").
   */
  lastActiveFrameNumber: Schema.optionalWith(Schema.BigInt, { default: () => 0n }),
  /** The rest of §8.1's allocation frame numbers, written by the lifecycle (D-REG-7); absent reads as 0. */
  joinConfirmFrameNumber: Schema.optional(Schema.BigInt),
  joinRejectFrameNumber: Schema.optional(Schema.BigInt),
  leaveFrameNumber: Schema.optional(Schema.BigInt),
  leaveConfirmFrameNumber: Schema.optional(Schema.BigInt),
  leaveRejectFrameNumber: Schema.optional(Schema.BigInt),
  pauseFrameNumber: Schema.optional(Schema.BigInt),
  resumeFrameNumber: Schema.optional(Schema.BigInt),
  kickFrameNumber: Schema.optional(Schema.BigInt),
})

export const ProverRecord = Schema.Struct({
  /** poseidon(publicKey), 32 bytes. */
  address: Schema.Uint8ArrayFromSelf,
  publicKey: Schema.Uint8ArrayFromSelf,
  status: ProverStatus,
  seniority: Schema.BigInt,
  kickFrameNumber: Schema.BigInt,
  allocations: Schema.Array(Allocation),
  /** `reward:ProverReward.DelegateAddress`; absent (older rows, genesis) means the prover itself. */
  delegateAddress: Schema.optional(Schema.Uint8ArrayFromSelf),
})
export type ProverRecord = typeof ProverRecord.Type

/** `GetActiveProvers(filter)`: the prover has an Active allocation whose confirmation filter is `filter`. */
export const isActiveFor = (record: ProverRecord, filter: Uint8Array): boolean =>
  record.status === "Active" &&
  record.allocations.some((a) => a.status === "Active" && a.filter.length === filter.length && a.filter.every((b, i) => b === filter[i]))
