// The global intrinsic's prover lifecycle (consensus.md §8.3, execution.md §5): codecs, the pure state
// machine with its implicit timeouts, the network parameters and the builders.
export * from "./builders.ts"
export * from "./codec.ts"
export * from "./constants.ts"
export * from "./lifecycle.ts"
export * from "./lifecycle-status.ts"
export * from "./messages/join.ts"
export * from "./messages/signed-ops.ts"
export * from "./params.ts"
export * from "./records.ts"
export * from "./signatures.ts"
export * from "./lifecycle-effect.ts"
export * from "./eviction.ts"
