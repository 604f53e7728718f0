// The host's shard queries through the actor (spec §3.5, §3.6): GetShardRoots for an app address
// (32 bytes) and a sub-shard (33 bytes), as of the head and of an older frame, and ProveAtoms,
// whose proof verifies against the vertex-adds root and fails once a byte is flipped.
import { sha512 } from "@noble/hashes/sha2.js"
import { bytesToHex, concatBytes } from "@noble/hashes/utils.js"
import { afterEach, describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { ApplyFrame, GetShardRoots, ProveAtoms } from "../../../../actors/execution/index.ts"
import { traversalProofFromBytes } from "../../../../actors/execution/state/traversal-proof.ts"
import { VectorCommitmentTrie } from "../../../../actors/execution/state/trie.ts"
import { verifyTraversalProof } from "../../../../actors/execution/state/verify.ts"
import { atomId } from "../../../../intrinsics/contract/index.ts"
import { noteDomain } from "../../intrinsics/contract/fixtures/note-intrinsic.ts"
import { addr, Buckets, notes, put, rawRows, remove, tempStorePath, withHost } from "./harness.ts"
import { kzg } from "./state/helpers.ts"

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

const hex = bytesToHex
const ZERO = hex(new Uint8Array(64))
const id = (n: number): Uint8Array => atomId(noteDomain, addr(n))

/** The stored value of each present note vertex, from the vertices bucket (`0x00 ‖ id` → `0x01 ‖ value`). */
const noteValues = Effect.map(rawRows(Buckets.vertices), (rows) => {
  const out = new Map<string, Uint8Array>()
  for (const [key, value] of rows)
    if (key.startsWith(`00${hex(noteDomain)}`) && value.startsWith("01")) out.set(key.slice(2), Buffer.from(value.slice(2), "hex"))
  return out
})

describe("shard queries", () => {
  test("GetShardRoots for 32- and 33-byte addresses, now and as of an older frame; ProveAtoms verifies", async () => {
    const { path, cleanup } = tempStorePath()
    cleanups.push(cleanup)
    const r = await withHost(path, (host) =>
      Effect.gen(function* () {
        yield* host.ask(new ApplyFrame({ frameNumber: 1n, bundles: [notes(put(1, "one"), put(2, "two"), put(3, "three"))] }))
        const values = yield* noteValues
        const app1 = yield* host.ask(new GetShardRoots({ frameNumber: 1n, shardAddress: noteDomain }))
        const sub2 = yield* host.ask(new GetShardRoots({ frameNumber: 1n, shardAddress: Uint8Array.of(...noteDomain, 2) }))
        const sub5 = yield* host.ask(new GetShardRoots({ frameNumber: 1n, shardAddress: Uint8Array.of(...noteDomain, 5) }))
        yield* host.ask(new ApplyFrame({ frameNumber: 2n, bundles: [notes(remove(2))] }))
        const later = yield* host.ask(new GetShardRoots({ frameNumber: 9n, shardAddress: Uint8Array.of(...noteDomain, 2) }))
        const older = yield* host.ask(new GetShardRoots({ frameNumber: 1n, shardAddress: noteDomain }))
        const none = yield* host.ask(new GetShardRoots({ frameNumber: 0n, shardAddress: noteDomain }))
        const proof = yield* host.ask(new ProveAtoms({ shardAddress: noteDomain, set: 0, ids: [id(1), id(3)] }))
        const absent = yield* Effect.either(host.ask(new ProveAtoms({ shardAddress: noteDomain, set: 0, ids: [id(9)] })))
        const badAddress = yield* Effect.either(host.ask(new GetShardRoots({ frameNumber: 1n, shardAddress: new Uint8Array(65) })))
        return { values, app1, sub2, sub5, later, older, none, proof, absent, badAddress }
      }),
    )
    // The app address covers the root branch of vertex-adds: the trie of the three notes.
    const expected = new VectorCommitmentTrie()
    for (const n of [1, 2, 3]) Effect.runSync(expected.insert(id(n), r.values.get(hex(id(n)))!, new Uint8Array(0), BigInt(r.values.get(hex(id(n)))!.length)))
    const root = Effect.runSync(expected.commit(kzg))
    expect(r.app1.frameNumber).toBe(1n)
    expect(r.app1.roots.map(hex)).toEqual([hex(root), ZERO, ZERO, ZERO])
    // Sub-shard 2 is the note at data address 0x02…: its leaf commitment.
    const leaf2 = hex(sha512(concatBytes(Uint8Array.of(0), id(2), r.values.get(hex(id(2)))!)))
    expect(r.sub2.roots.map(hex)).toEqual([leaf2, ZERO, ZERO, ZERO])
    expect(r.sub5.roots.map(hex)).toEqual([ZERO, ZERO, ZERO, ZERO])
    // After the removal the removes set holds it too; frame 1 still answers as it did.
    expect(r.later.frameNumber).toBe(2n)
    expect(r.later.roots.map(hex)).toEqual([leaf2, leaf2, ZERO, ZERO])
    expect(r.older).toEqual(r.app1)
    expect(r.none).toEqual({ frameNumber: null, roots: [ZERO, ZERO, ZERO, ZERO].map((z) => Buffer.from(z, "hex")) })

    const decoded = Either.getOrThrow(traversalProofFromBytes(r.proof))
    expect(Effect.runSync(verifyTraversalProof(kzg, root, decoded, [id(1), id(3)]))).toBe(true)
    for (const at of [5, 200, r.proof.length - 3]) {
      const flipped = r.proof.slice()
      flipped[at] = flipped[at]! ^ 0x01
      const bad = traversalProofFromBytes(flipped)
      expect(Either.isLeft(bad) || !Effect.runSync(verifyTraversalProof(kzg, root, bad.right, [id(1), id(3)]))).toBe(true)
    }
    expect(r.absent._tag === "Left" && r.absent.left._tag === "ShardQueryFailed" && r.absent.left.kind).toBe("bad-request")
    expect(r.badAddress._tag === "Left" && r.badAddress.left._tag === "ShardQueryFailed" && r.badAddress.left.kind).toBe("bad-request")
  }, 60_000)
})
