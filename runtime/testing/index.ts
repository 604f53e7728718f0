/**
 * `quilbun/testing`: what a test needs to run the node without a network or real consensus crypto.
 *
 * - `Testnet.start` (Promises) / `makeTestnet` (scoped Effect): N nodes in one process, each with global
 *   consensus and one app-shard worker per shard slot (the node's own shard host, app consensus and
 *   execution host), every node covering every shard, with plugins loaded; `submit` resolves once a
 *   bundle is committed, `query` runs an intrinsic's query as the HTTP route would, `advance(frames)`
 *   and `advanceTime(ms)` move the testnet's TestClock; faults: crash/restart, partition/heal,
 *   byzantine app provers.
 *   Decisions: DECISIONS.md (D-TEST-*).
 * - `makeDevnet`: N global-consensus nodes in one process over the in-memory transport, each with its
 *   own actor system and LMDB store, driven by Effect's Clock (TestClock in tests) and a seed, with
 *   fault injection (crash/restart, partitions, link faults, byzantine proposers).
 * - The INSECURE test crypto (a linear "signature" and a hash standing in for the VDF): fast and
 *   deterministic, never for a real network.
 *
 * ```ts
 * import { Testnet } from "quilbun/testing"
 * await using net = await Testnet.start({ nodes: 4, shards: 2, plugins: [kv] })
 * await net.submit(kv, "set", { key: "greeting", value: "hello" }, { node: 0 })
 * expect(await net.query(kv, "get", { key: "greeting" }, { node: 1 })).toEqual({ value: "hello" })
 * ```
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
