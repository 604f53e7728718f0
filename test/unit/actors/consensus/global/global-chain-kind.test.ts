// The global chain kind with a shard-update source: the leader proposes, per shard, the newest pending
// certified header the frame-number rule admits and whose certificate verifies; requests_root commits to
// the requests (D-GC-16); every validator rejects a wrong root, an undecodable request, and an update the
// branch already carried — found through the engine's frames or the committed chain (D-GC-17). Without a
// source the chain is what it was: no requests, a zero root.
import { describe, expect, test } from "bun:test"
import { Effect, Either, Layer } from "effect"
import type { FrameBranch, ValidationServices } from "../../../../../actors/consensus/core/chain-kind.ts"
import { GlobalFrame } from "../../../../../actors/consensus/core/messages/global-frame.ts"
import { GlobalFrameHeader } from "../../../../../actors/consensus/core/messages/global-frame-header.ts"
import { decodeProverShardUpdate, encodeProverShardUpdate } from "../../../../../actors/consensus/core/messages/prover-shard-update.ts"
import { QuorumCertificate } from "../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import { BLS48581AggregateSignature } from "../../../../../actors/consensus/core/messages/signatures.ts"
import { requestsRoot } from "../../../../../actors/consensus/core/requests-root.ts"
import { MAX_BITMASK_LENGTH, makeSignerBitmask } from "../../../../../actors/consensus/core/signer-bitmask.ts"
import { globalChallenge } from "../../../../../actors/consensus/core/vdf-challenge.ts"
import { globalChainKind, makeGlobalChainKind } from "../../../../../actors/consensus/global/global-chain-kind.ts"
import type { CommittedGlobalFrame } from "../../../../../actors/consensus/global/shard-update-history.ts"
import { MAX_SHARD_UPDATES } from "../../../../../actors/consensus/global/shard-update-selection.ts"
import { insecureTestVdf } from "../../../../../runtime/testing/insecure-test-vdf.ts"
import { certify, unsignedShardHeader } from "../core/support/certified-shard-header.ts"
import { CryptoLayer, makeCommittee, signerLayer } from "../core/support/devnet-crypto.ts"
import { testPoseidonHashBytes as poseidon } from "../core/support/poseidon.ts"

const { provers } = makeCommittee(4)
const leader = provers[0]
if (leader === undefined) throw new Error("no prover")
const services = Layer.merge(CryptoLayer, signerLayer(leader.signer))
const run = <A, E>(effect: Effect.Effect<A, E, ValidationServices>) => Effect.runSync(Effect.either(effect.pipe(Effect.provide(services))))
const runOk = <A, E>(effect: Effect.Effect<A, E, ValidationServices>): A => Either.getOrThrow(run(effect))

const A = new Uint8Array(32).fill(0x5a)
const B = new Uint8Array(32).fill(0x5b)
const shardHeader = (address: Uint8Array, n: bigint, signers: ReadonlyArray<number> = [0, 1, 2]) =>
  certify(unsignedShardHeader(address, n, leader.address), provers, signers).header

/** A stand-in parent at global frame 20 (the genesis header renumbered): the child is frame 21. */
const genesis = globalChainKind.genesisFrame({ timestamp: 1_700_000_000_000n, difficulty: 1 })
const parent = new GlobalFrame({ header: new GlobalFrameHeader({ ...genesis.header, frameNumber: 20n, rank: 20n }), requests: [] })
const noBranch: FrameBranch<GlobalFrame> = { frame: () => undefined }
const leaderSignature = new BLS48581AggregateSignature({
  signature: new Uint8Array(74),
  publicKey: leader.publicKey,
  bitmask: makeSignerBitmask([0], MAX_BITMASK_LENGTH * 8, MAX_BITMASK_LENGTH),
})

const produce = (kind: ReturnType<typeof makeGlobalChainKind>, from: GlobalFrame, branch: FrameBranch<GlobalFrame> = noBranch) =>
  runOk(kind.produceFrame({ parent: from, branch, rank: from.header.rank + 1n, nowMs: 1_700_000_000_000n, proverIndex: 0, difficulty: () => 1 })).seal(
    leaderSignature,
  )
const carried = (f: GlobalFrame) =>
  f.requests.map((r) => {
    const d = decodeProverShardUpdate(r)
    return Either.isRight(d) ? `${Buffer.from(d.right.header.address).toString("hex").slice(0, 2)}:${d.right.header.frameNumber}` : "?"
  })
const rejection = (kind: ReturnType<typeof makeGlobalChainKind>, f: GlobalFrame, from: GlobalFrame, branch?: FrameBranch<GlobalFrame>) =>
  Either.match(run(kind.validateFrame(f, provers, from, branch)), {
    onLeft: (e) => (e._tag === "BadShardUpdate" ? `BadShardUpdate:${e.reason}` : e._tag),
    onRight: () => "valid",
  })

/** `frame` with other requests, its root recomputed and its VDF solved again: what a leader that means it would publish. */
const withRequests = (frame: GlobalFrame, requests: ReadonlyArray<Uint8Array>, root = requestsRoot(requests)): GlobalFrame => {
  const unsolved = new GlobalFrameHeader({ ...frame.header, requestsRoot: root })
  const output = Effect.runSync(insecureTestVdf.solve(globalChallenge(unsolved), unsolved.difficulty).pipe(Effect.orDie))
  return new GlobalFrame({ header: new GlobalFrameHeader({ ...unsolved, output }), requests })
}

const pending = [
  shardHeader(A, 10n),
  shardHeader(A, 18n),
  // Ahead of the global chain: not yet includable.
  shardHeader(A, 25n),
  // Not certified by two thirds: never proposed.
  shardHeader(B, 9n, [0, 1]),
  shardHeader(B, 5n),
]
const kind = makeGlobalChainKind({ pendingShardUpdates: Effect.succeed(pending), committee: provers })

describe("global chain kind with shard updates", () => {
  test("the leader proposes per shard the newest admissible, verified header; the root commits to them; validators accept", () => {
    const frame = produce(kind, parent)
    expect(frame.header.frameNumber).toBe(21n)
    expect(carried(frame)).toEqual(["5a:18", "5b:5"])
    expect(frame.header.requestsRoot).toEqual(requestsRoot(frame.requests))
    expect(frame.header.requestsRoot).not.toEqual(new Uint8Array(64))
    expect(rejection(kind, frame, parent, noBranch)).toBe("valid")
    // A follower without a pool validates the same frame alike.
    expect(rejection(globalChainKind, frame, parent)).toBe("valid")
  })

  test("without a source, or with nothing admissible, frames carry no requests and a zero root (as before)", () => {
    const plain = produce(globalChainKind, parent)
    expect(plain.requests).toEqual([])
    expect(plain.header.requestsRoot).toEqual(new Uint8Array(64))
    const late = makeGlobalChainKind({ pendingShardUpdates: Effect.succeed([shardHeader(A, 30n)]), committee: provers })
    expect(produce(late, parent).requests).toEqual([])
  })

  test("a root that does not commit to the requests, or a request that is not a shard update, is rejected", () => {
    const frame = produce(kind, parent)
    expect(rejection(kind, withRequests(frame, frame.requests, new Uint8Array(64)), parent, noBranch)).toBe("BadRequestsRoot")
    expect(rejection(kind, withRequests(frame, [Uint8Array.of(0, 0, 3, 0x12, 0, 0, 0, 0)]), parent, noBranch)).toBe("BadShardUpdate:undecodable")
    expect(rejection(kind, withRequests(frame, [encodeProverShardUpdate(shardHeader(B, 9n, [0, 1]))]), parent, noBranch)).toBe("BadShardUpdate:participation")
  })

  test("an update the branch already carried is rejected, found in the engine's frames or in the committed chain; the leader skips it", () => {
    const first = produce(kind, parent)
    const selector = poseidon(first.header.output)
    const inForks: FrameBranch<GlobalFrame> = { frame: (s) => (Buffer.from(s).equals(Buffer.from(selector)) ? first : undefined) }
    const next = produce(kind, first, inForks)
    // A@18 and B@5 are on the branch: nothing newer is admissible.
    expect(next.requests).toEqual([])
    const replay = withRequests(next, [encodeProverShardUpdate(shardHeader(A, 18n))])
    expect(rejection(kind, replay, first, inForks)).toBe("BadShardUpdate:replayed")
    const older = withRequests(next, [encodeProverShardUpdate(shardHeader(A, 10n))])
    expect(rejection(kind, older, first, inForks)).toBe("BadShardUpdate:replayed")
    // The same from the committed chain (its QC names the frame's selector).
    const committedFirst: CommittedGlobalFrame = (n) =>
      Effect.succeed(
        n === 21n
          ? { frame: first, qc: new QuorumCertificate({ filter: new Uint8Array(), rank: first.header.rank, frameNumber: 21n, selector, timestamp: 0n }) }
          : undefined,
      )
    const grandchild = new GlobalFrame({ header: new GlobalFrameHeader({ ...next.header }), requests: [] })
    const fromStore = makeGlobalChainKind({ committedFrame: committedFirst })
    const replayAbove = withRequests(produce(globalChainKind, grandchild), [encodeProverShardUpdate(shardHeader(A, 18n))])
    expect(rejection(fromStore, replayAbove, grandchild, noBranch)).toBe("BadShardUpdate:replayed")
    // A newer header of the shard is fine there.
    const newer = withRequests(produce(globalChainKind, grandchild), [encodeProverShardUpdate(shardHeader(A, 19n))])
    expect(rejection(fromStore, newer, grandchild, noBranch)).toBe("valid")
  })

  test("at most MAX_SHARD_UPDATES per frame", () => {
    const many = Array.from({ length: MAX_SHARD_UPDATES + 3 }, (_, i) =>
      shardHeader(
        new Uint8Array(32).fill(0).map((_, j) => (j === 0 ? 1 : i + 2)),
        19n,
      ),
    )
    const frame = produce(makeGlobalChainKind({ pendingShardUpdates: Effect.succeed(many), committee: provers }), parent)
    expect(frame.requests.length).toBe(MAX_SHARD_UPDATES)
  }, 60_000)
})
