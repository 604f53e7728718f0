// The prover registry: genesis/devnet prover sets with seniority, committees per filter, leaders and
// quorum thresholds (consensus.md §3.11, §8).
import { Context, Effect, Layer } from "effect"
import type { ActiveProver } from "../consensus/core/prover-ring.ts"
import { type ActorRef, ActorSystem } from "../../runtime/kernel/index.ts"
import type { Store } from "../../runtime/store/index.ts"
import type { Poseidon } from "../../crates/ts/services.ts"
import type { RegistryGenesis } from "./genesis.ts"
import { ActiveProvers, type ProverRegistryMessage } from "./protocol.ts"
import { proverRegistryActor } from "./prover-registry.ts"

export * from "./genesis.ts"
export * from "./prover-record.ts"
export * from "./protocol.ts"
export * from "./reward-feed.ts"
export { proverRegistryActor } from "./prover-registry.ts"

export type ProverRegistryRef = ActorRef<ProverRegistryMessage>

/** The node's prover registry (its ref), as wired by `ProverRegistryLive`. */
export class ProverRegistry extends Context.Tag("quilbun/ProverRegistry")<ProverRegistry, ProverRegistryRef>() {}

/** The one wiring of the prover registry: seeded from `RegistryGenesis`, kept in the Store. */
export const ProverRegistryLive: Layer.Layer<ProverRegistry, never, ActorSystem.ActorSystem | Store | Poseidon | RegistryGenesis> = Layer.scoped(
  ProverRegistry,
  ActorSystem.spawnScoped(proverRegistryActor),
)

/** `GetActiveProvers(filter)` through the actor, typed as the pure layer's `ActiveProver`. */
export const activeProversOf = (registry: ProverRegistryRef, filter: Uint8Array) =>
  Effect.map(registry.ask(new ActiveProvers({ filter })), (provers): ReadonlyArray<ActiveProver> => provers)
