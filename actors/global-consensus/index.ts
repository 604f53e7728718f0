// Global consensus (consensus.md §3, §4.3): the HotStuff-style actor over the global prover committee.
export * from "./config.ts"
export * from "./protocol.ts"
export * from "./quorum-rule.ts"
export * from "./wire.ts"
export { type CertifiedFrame, decodeCertifiedFrame, encodeCertifiedFrame } from "./persistence.ts"
export { GlobalConsensusEngine, type EngineDeps, type EngineEffects } from "./engine.ts"
export { globalConsensusActor, GLOBAL_CONSENSUS_NAME, type GlobalConsensusActorOptions, type GlobalConsensusRef } from "./global-consensus.ts"
