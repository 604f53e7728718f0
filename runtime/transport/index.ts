// Consensus transport: the interface and the in-memory implementation (libp2p lands behind the same
// interface in actors/p2p).
export * from "./transport.ts"
export * from "./in-memory.ts"
export * from "./seeded-random.ts"
