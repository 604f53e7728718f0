/**
 * `quilbun/testing`: what a test needs to run the node's consensus without a network or real crypto.
 *
 * - `makeDevnet`: N global-consensus nodes in one process over the in-memory transport, each with its
 *   own actor system and LMDB store, driven by Effect's Clock (TestClock in tests) and a seed, with
 *   fault injection (crash/restart, partitions, link faults, byzantine proposers).
 * - The INSECURE test crypto (a linear "signature" and a hash standing in for the VDF): fast and
 *   deterministic, never for a real network.
 *
 * ```ts
 * import { makeDevnet } from "quilbun/testing"
 * const program = Effect.scoped(Effect.gen(function* () {
 *   const devnet = yield* makeDevnet({ nodes: 4, seed: 1 })
 *   yield* devnet.runUntil(Effect.map(devnet.statuses, (all) => all.every((s) => s.committedHead.frameNumber >= 5n)))
 * }))
 * ```
 */
export * from "./devnet.ts"
export type { AppProposalFault } from "./app-byzantine.ts"
export * from "./testnet.ts"
export * from "./testnet-class.ts"
export * from "./testnet-errors.ts"
export * from "./insecure-test-bls.ts"
export * from "./insecure-test-vdf.ts"
