// The dynamic fee manager (consensus.md §6): per filter, the multiplier from the last 360 fee votes of
// the canonical chain, rewound on forks. One in the master (global) and one per data worker (its shards).
export * from "./protocol.ts"
export { FEE_MANAGER_NAME, feeManagerActor } from "./fee-manager.ts"
