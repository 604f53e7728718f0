// The prover registry: genesis/devnet prover sets with seniority, committees per filter, leaders and
// quorum thresholds (consensus.md §3.11, §8).
import { Effect } from "effect"
import type { ActiveProver } from "../consensus/core/prover-ring.ts"
import type { ActorRef } from "../../runtime/kernel/index.ts"
import { ActiveProvers, type ProverRegistryMessage } from "./protocol.ts"

export * from "./genesis.ts"
export * from "./prover-record.ts"
export * from "./protocol.ts"
export { proverRegistryActor } from "./prover-registry.ts"

export type ProverRegistryRef = ActorRef<ProverRegistryMessage>

/** `GetActiveProvers(filter)` through the actor, typed as the pure layer's `ActiveProver`. */
export const activeProversOf = (registry: ProverRegistryRef, filter: Uint8Array) =>
  Effect.map(registry.ask(new ActiveProvers({ filter })), (provers): ReadonlyArray<ActiveProver> => provers)
