// The app-shard chain kind: deterministic genesis, a produced frame validates, tampering with its state
// roots, requests or signature is rejected with the matching FrameRejection, and app votes are bound to
// their shard (they verify neither as global votes nor as another shard's).
import { describe, expect, test } from "bun:test"
import { Effect, Either, Layer } from "effect"
import { appChainKind, appGenesisFrame } from "../../../../../actors/consensus/app/app-chain-kind.ts"
import { requestsRoot as appRequestsRoot } from "../../../../../actors/consensus/core/requests-root.ts"
import type { ValidationServices } from "../../../../../actors/consensus/core/chain-kind.ts"
import { validateVote } from "../../../../../actors/consensus/core/certificate-validation.ts"
import { AppFrameHeader } from "../../../../../actors/consensus/core/messages/app-frame-header.ts"
import { AppShardFrame, encodeAppShardFrame } from "../../../../../actors/consensus/core/messages/app-shard-frame.ts"
import { ProposalVote } from "../../../../../actors/consensus/core/messages/proposal-vote.ts"
import { BLS48581AddressedSignature, BLS48581AggregateSignature } from "../../../../../actors/consensus/core/messages/signatures.ts"
import { makeVoteMessage, voteDomain } from "../../../../../actors/consensus/core/signed-messages.ts"
import { MAX_BITMASK_LENGTH, makeSignerBitmask } from "../../../../../actors/consensus/core/signer-bitmask.ts"
import { appChallenge } from "../../../../../actors/consensus/core/vdf-challenge.ts"
import { insecureTestVdf } from "../../../../../runtime/testing/insecure-test-vdf.ts"
import { CryptoLayer, makeCommittee, signerLayer } from "../core/support/devnet-crypto.ts"
import { testPoseidonHashBytes as poseidon } from "../core/support/poseidon.ts"

const ADDRESS = new Uint8Array(32).fill(7)
const OTHER = new Uint8Array(32).fill(8)
const bundle = (n: number): Uint8Array => Uint8Array.of(0x00, 0x00, 0x03, 0x12, n, n + 1)
const rootsAfter = (n: bigint): ReadonlyArray<Uint8Array> => [0, 1, 2, 3].map((i) => new Uint8Array(64).fill(Number(n) * 4 + i + 1))

const { provers } = makeCommittee(4)
const leaderIndex = 0
const leader = provers[leaderIndex]
if (leader === undefined) throw new Error("no prover")
const services = Layer.merge(CryptoLayer, signerLayer(leader.signer))
const run = <A, E>(effect: Effect.Effect<A, E, ValidationServices>) => Effect.runSync(Effect.either(effect.pipe(Effect.provide(services))))
const runOk = <A, E>(effect: Effect.Effect<A, E, ValidationServices>): A => Either.getOrThrow(run(effect))

const genesis = runOk(appGenesisFrame(ADDRESS, 1))
const genesisSelector = poseidon(genesis.header.output)
const kind = appChainKind({
  address: ADDRESS,
  genesis,
  ports: {
    takeRequests: () => Effect.succeed([bundle(1), bundle(2)]),
    stateRootsAt: (n) => Effect.succeed(rootsAfter(n)),
    committedFrame: (selector) => (Buffer.from(selector).equals(Buffer.from(genesisSelector)) ? genesis : undefined),
  },
})
const branch = { frame: () => undefined }

/** Signs the header as the proposer's vote does (§1.4 step 2). */
const sealed = (header: AppFrameHeader, requests: ReadonlyArray<Uint8Array>): AppShardFrame => {
  const selector = poseidon(header.output)
  const signature = runOk(leader.signer.sign(makeVoteMessage(ADDRESS, header.rank, selector), voteDomain(ADDRESS)))
  const aggregate = new BLS48581AggregateSignature({
    signature,
    publicKey: leader.signer.publicKey,
    bitmask: makeSignerBitmask([leaderIndex], MAX_BITMASK_LENGTH * 8, MAX_BITMASK_LENGTH),
  })
  return new AppShardFrame({ header: new AppFrameHeader({ ...header, publicKeySignatureBls48581: aggregate }), requests })
}

const produced = runOk(kind.produceFrame({ parent: genesis, branch, rank: 1n, nowMs: 1_700_000_000_000n, proverIndex: leaderIndex, difficulty: () => 1 }))
const frame = sealed(produced.seal(new BLS48581AggregateSignature({ signature: new Uint8Array(74), bitmask: new Uint8Array(32) })).header, [
  bundle(1),
  bundle(2),
])
const validate = (f: AppShardFrame) => run(kind.validateFrame(f, provers, genesis, branch))
const rejection = (f: AppShardFrame) => Either.match(validate(f), { onLeft: (e) => e._tag, onRight: () => "valid" })

/** The header with new fields and a fresh VDF output: what a leader that lies about them would publish. */
const resolved = (fields: Partial<AppFrameHeader>): AppFrameHeader => {
  const unsolved = new AppFrameHeader({ ...frame.header, ...fields })
  const output = Effect.runSync(insecureTestVdf.solve(appChallenge(unsolved), unsolved.difficulty).pipe(Effect.orDie))
  return new AppFrameHeader({ ...unsolved, output })
}

describe("app chain kind", () => {
  test("genesis is deterministic from address and difficulty, and differs per shard", () => {
    const again = runOk(appGenesisFrame(ADDRESS, 1))
    expect(encodeAppShardFrame(again)).toEqual(encodeAppShardFrame(genesis))
    expect(genesis.header.frameNumber).toBe(0n)
    expect(runOk(appGenesisFrame(OTHER, 1)).header.output).not.toEqual(genesis.header.output)
    expect(kind.filter).toEqual(ADDRESS)
    expect(kind.bitmask.length).toBe(33)
    expect(kind.bitmask[0]).toBe(0)
  })

  test("a produced frame carries the bundles, their root, the roots after genesis and fee 100, and validates", () => {
    const h = frame.header
    expect(h.frameNumber).toBe(1n)
    expect(h.rank).toBe(1n)
    expect(h.address).toEqual(ADDRESS)
    expect(h.prover).toEqual(leader.address)
    expect(h.feeMultiplierVote).toBe(100n)
    expect(frame.requests).toEqual([bundle(1), bundle(2)])
    expect(h.requestsRoot).toEqual(appRequestsRoot([bundle(1), bundle(2)]))
    expect(h.stateRoots).toEqual(rootsAfter(0n))
    expect(validate(frame)._tag).toBe("Right")
  })

  test("frame numbers follow the global head when it is above the parent, else parent + 1 (§1.6 step 4); the fee vote comes from its port", () => {
    const withHead = (head: bigint | undefined) =>
      appChainKind({
        address: ADDRESS,
        genesis,
        ports: {
          // Neither a non-bundle nor an oversized bundle may enter a frame (peers could not decode it).
          takeRequests: () => Effect.succeed([Uint8Array.of(1, 2, 3, 4), new Uint8Array(74_001).fill(0).map((_, i) => (i === 2 ? 3 : i === 3 ? 0x12 : 0))]),
          stateRootsAt: (n) => Effect.succeed(rootsAfter(n)),
          committedFrame: () => undefined,
          globalHead: Effect.succeed(head),
          feeVote: Effect.succeed(120n),
        },
      })
    const produce = (head: bigint | undefined) =>
      runOk(withHead(head).produceFrame({ parent: genesis, branch, rank: 1n, nowMs: 1_700_000_000_000n, proverIndex: leaderIndex, difficulty: () => 1 }))
    expect(produce(7n).frameNumber).toBe(7n)
    expect(produce(0n).frameNumber).toBe(1n)
    expect(produce(undefined).frameNumber).toBe(1n)
    const empty = produce(7n).seal(new BLS48581AggregateSignature({ signature: new Uint8Array(74), bitmask: new Uint8Array(32) }))
    expect(empty.header.frameNumber).toBe(7n)
    expect(empty.header.feeMultiplierVote).toBe(120n)
    expect(empty.header.requestsRoot).toEqual(new Uint8Array(64))
    expect(empty.requests).toEqual([])
    // A validator accepts the skipped number ("later than the parent", D-VAL-3).
    expect(run(withHead(7n).validateFrame(sealed(empty.header, []), provers, genesis, branch))._tag).toBe("Right")
  })

  test("an empty frame's requests_root is 64 zero bytes", () => {
    expect(appRequestsRoot([])).toEqual(new Uint8Array(64))
    expect(appRequestsRoot([bundle(1)])).toHaveLength(64)
  })

  test("tampered state roots are rejected: without a new VDF by the VDF, with one by the roots rule", () => {
    const roots = [new Uint8Array(64).fill(0xee), ...frame.header.stateRoots.slice(1)]
    expect(rejection(new AppShardFrame({ header: new AppFrameHeader({ ...frame.header, stateRoots: roots }), requests: frame.requests }))).toBe("BadVdf")
    expect(rejection(sealed(resolved({ stateRoots: roots }), frame.requests))).toBe("BadStateRoots")
  })

  test("tampered requests are rejected by the requests_root check", () => {
    expect(rejection(new AppShardFrame({ header: frame.header, requests: [bundle(1)] }))).toBe("BadRequestsRoot")
    expect(rejection(sealed(resolved({ requestsRoot: new Uint8Array(64) }), frame.requests))).toBe("BadRequestsRoot")
  })

  test("a tampered signature is rejected", () => {
    const sig = frame.header.publicKeySignatureBls48581
    if (sig === undefined) throw new Error("unsigned")
    const bad = sig.signature.slice()
    bad[3] = (bad[3] ?? 0) ^ 0xff
    const header = new AppFrameHeader({ ...frame.header, publicKeySignatureBls48581: new BLS48581AggregateSignature({ ...sig, signature: bad }) })
    expect(rejection(new AppShardFrame({ header, requests: frame.requests }))).toBe("BadSignature")
  })

  test("a frame for another shard is rejected", () => {
    expect(rejection(sealed(resolved({ address: OTHER }), frame.requests))).toBe("BadAddress")
  })

  test("domain separation: an app vote verifies for its shard only, not as a global vote nor another shard's", () => {
    const selector = poseidon(frame.header.output)
    const signature = runOk(leader.signer.sign(makeVoteMessage(ADDRESS, 1n, selector), voteDomain(ADDRESS)))
    const vote = (filter: Uint8Array) =>
      new ProposalVote({
        filter,
        rank: 1n,
        frameNumber: 1n,
        selector,
        timestamp: 0n,
        publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature, address: leader.address }),
      })
    const verdict = (filter: Uint8Array) => Either.match(run(validateVote(vote(filter), provers)), { onLeft: (e) => e._tag, onRight: () => "valid" })
    expect(verdict(ADDRESS)).toBe("valid")
    expect(verdict(new Uint8Array())).toBe("InvalidCertificateSignature")
    expect(verdict(OTHER)).toBe("InvalidCertificateSignature")
  })
})
