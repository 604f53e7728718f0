// Prover lifecycle requests carried by global frames (D-GC-19) and applied by every node's prover registry
// at the committed frame (prover-registry D-REG-7): a leave signed by one genesis prover removes it from the
// registry's global active set on all four nodes, at the same frame; a forged leave is carried and refused
// alike everywhere. Crypto: the INSECURE test BLS and VDF stand-ins (the registry verifies with the node's).
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { encodeLifecycleRequest } from "../../actors/consensus/global/lifecycle-requests.ts"
import { decodeCertifiedFrame } from "../../actors/consensus/global/persistence.ts"
import { ActiveProvers, ProverInfo } from "../../actors/prover-registry/index.ts"
import { buildProverConfirm, buildProverJoin, buildProverLeave, encodeLifecycleOp, joinProofIds, type LifecycleSigner } from "../../intrinsics/global/index.ts"
import { sha3_256 } from "@noble/hashes/sha3.js"
import { type Devnet, insecureTestVdfOutput, makeInsecureTestSigner } from "quilbun/testing"
import { allAtLeast, runDevnet } from "./helpers.ts"

/** The submitter's bundle timestamp (ms); validators do not read it. */
const TIMESTAMP = 1_765_000_000_000n

const lifecycleSigner = (devnet: Devnet, index: number): LifecycleSigner => {
  const signer = devnet.nodes[index]?.signer
  if (signer === undefined) throw new Error(`no node ${index}`)
  return { publicKey: signer.publicKey, sign: (message, domain) => Effect.runSync(signer.sign(message, domain)) }
}

const globalCommittee = (devnet: Devnet, index: number) =>
  Effect.map(devnet.registry(index).ask(new ActiveProvers({ filter: new Uint8Array() })), (ps) => ps.map((p) => bytesToHex(p.address))).pipe(Effect.orDie)

/** Frame numbers (per node) of the committed frame whose requests include `request`. */
const carriedAt = (devnet: Devnet, index: number, request: Uint8Array) =>
  Effect.gen(function* () {
    const head = (yield* devnet.status(index)).committedHead.frameNumber
    const frames = (yield* devnet.committed(index, 1n, head)).map(decodeCertifiedFrame)
    const hex = bytesToHex(request)
    return frames.filter((f) => f.frame.requests.some((r) => bytesToHex(r) === hex)).map((f) => f.frame.header.frameNumber)
  })

describe("prover lifecycle through global frames", () => {
  test("a leave changes the registry's global committee on every node at the same frame; a forged one changes nothing", async () => {
    const result = await runDevnet({ nodes: 4, seed: 16 }, (devnet) =>
      Effect.gen(function* () {
        yield* devnet.runUntil(allAtLeast(devnet, 3n), { maxMs: 30_000, stepMs: 100 })
        const before = yield* Effect.forEach([0, 1, 2, 3], (i) => globalCommittee(devnet, i))
        const signedAt = (yield* devnet.status(0)).committedHead.frameNumber
        const crypto = { poseidon: devnet.poseidon }
        const leave = encodeLifecycleRequest(encodeLifecycleOp(buildProverLeave(crypto, lifecycleSigner(devnet, 3), [new Uint8Array()], signedAt)), TIMESTAMP)
        // Node 1's signature under node 2's address: decodes, so it is carried, but it does not verify.
        const signedBy1 = buildProverLeave(crypto, lifecycleSigner(devnet, 1), [new Uint8Array()], signedAt)
        const node2 = devnet.nodes[2]?.signer.address ?? new Uint8Array()
        const forged = encodeLifecycleRequest(encodeLifecycleOp({ ...signedBy1, signature: { ...signedBy1.signature, address: node2 } }), TIMESTAMP)
        devnet.submitLifecycle(leave)
        devnet.submitLifecycle(forged)
        const applied = yield* devnet.runUntil(
          Effect.map(
            Effect.forEach([0, 1, 2, 3], (i) => globalCommittee(devnet, i)),
            (all) => all.every((c) => c.length === 3),
          ).pipe(Effect.orDie),
          { maxMs: 60_000, stepMs: 100 },
        )
        const after = yield* Effect.forEach([0, 1, 2, 3], (i) => globalCommittee(devnet, i))
        const leaveFrames = yield* Effect.forEach([0, 1, 2, 3], (i) => carriedAt(devnet, i, leave))
        const forgedFrames = yield* Effect.forEach([0, 1, 2, 3], (i) => carriedAt(devnet, i, forged))
        const leaverAddress = devnet.nodes[3]?.signer.address ?? new Uint8Array()
        const records = yield* Effect.forEach([0, 1, 2, 3], (i) =>
          devnet
            .registry(i)
            .ask(new ProverInfo({ address: leaverAddress }))
            .pipe(Effect.orDie),
        )
        const statuses = yield* devnet.statuses
        return { applied, before, after, leaveFrames, forgedFrames, records, signedAt, leaver: bytesToHex(leaverAddress), node2: bytesToHex(node2), statuses }
      }),
    )
    expect(result.applied).toBe(true)
    for (const c of result.before) expect(c.length).toBe(4)
    // Every node: the same three provers, without the leaver, with node 2 (its forged leave was refused).
    for (const c of result.after) {
      expect(c).toEqual(result.after[0] ?? [])
      expect(c).not.toContain(result.leaver)
      expect(c).toContain(result.node2)
    }
    // Carried once, by the same committed frame on every node.
    expect(result.leaveFrames[0]?.length).toBe(1)
    for (const f of result.leaveFrames) expect(f).toEqual(result.leaveFrames[0] ?? [])
    for (const f of result.forgedFrames) expect(f.length).toBeGreaterThan(0)
    for (const r of result.records) {
      expect(r?.status).toBe("Leaving")
      expect(r?.allocations[0]?.status).toBe("Leaving")
      expect(r?.allocations[0]?.leaveFrameNumber).toBe(result.signedAt)
    }
    for (const s of result.statuses) expect(s.rejections).toEqual([])
  }, 120_000)

  test("a join proven against a committed frame and confirmed inside the devnet window puts the prover in the shard's committee on every node; a join with a wrong proof is refused everywhere", async () => {
    const shard = new Uint8Array(32).fill(0x5a)
    const result = await runDevnet({ nodes: 4, seed: 17 }, (devnet) =>
      Effect.gen(function* () {
        yield* devnet.runUntil(allAtLeast(devnet, 3n), { maxMs: 30_000, stepMs: 100 })
        const joinedAt = (yield* devnet.status(0)).committedHead.frameNumber
        const seedFrame = decodeCertifiedFrame((yield* devnet.committed(0, joinedAt, joinedAt))[0] ?? new Uint8Array()).frame.header
        // §4.6: challenge = SHA3-256(output of the frame the join names), at its difficulty; one blob per filter.
        const challenge = sha3_256(seedFrame.output)
        const proofFor = (address: Uint8Array) =>
          new Uint8Array(joinProofIds(address, [shard]).flatMap((id) => [...insecureTestVdfOutput(challenge, seedFrame.difficulty, id)]))
        const joinerKey = makeInsecureTestSigner(new Uint8Array(32).fill(0x77), devnet.poseidon)
        const joiner: LifecycleSigner = { publicKey: joinerKey.publicKey, sign: (m, d) => Effect.runSync(joinerKey.sign(m, d)) }
        const crypto = { poseidon: devnet.poseidon }
        const join = buildProverJoin(crypto, joiner, { filters: [shard], frameNumber: joinedAt, proof: proofFor(joinerKey.address) })
        const imposterKey = makeInsecureTestSigner(new Uint8Array(32).fill(0x78), devnet.poseidon)
        const imposter: LifecycleSigner = { publicKey: imposterKey.publicKey, sign: (m, d) => Effect.runSync(imposterKey.sign(m, d)) }
        // The joiner's blobs under the imposter's key: the ids differ, so the multiproof does not verify.
        const badJoin = buildProverJoin(crypto, imposter, { filters: [shard], frameNumber: joinedAt, proof: proofFor(joinerKey.address) })
        devnet.submitLifecycle(encodeLifecycleRequest(encodeLifecycleOp(join), TIMESTAMP))
        devnet.submitLifecycle(encodeLifecycleRequest(encodeLifecycleOp(badJoin), TIMESTAMP))
        const confirmFrom = joinedAt + 10n // DEVNET_LIFECYCLE.confirmDelay
        yield* devnet.runUntil(allAtLeast(devnet, confirmFrom), { maxMs: 60_000, stepMs: 100 })
        const joining = yield* Effect.forEach([0, 1, 2, 3], (i) =>
          devnet
            .registry(i)
            .ask(new ProverInfo({ address: joinerKey.address }))
            .pipe(Effect.orDie),
        )
        devnet.submitLifecycle(encodeLifecycleRequest(encodeLifecycleOp(buildProverConfirm(crypto, joiner, [shard], confirmFrom)), TIMESTAMP))
        const shardCommittee = (i: number) =>
          Effect.map(devnet.registry(i).ask(new ActiveProvers({ filter: shard })), (ps) => ps.map((p) => bytesToHex(p.address))).pipe(Effect.orDie)
        const confirmed = yield* devnet.runUntil(
          Effect.map(Effect.forEach([0, 1, 2, 3], shardCommittee), (all) => all.every((c) => c.length === 1)),
          { maxMs: 60_000, stepMs: 100 },
        )
        const committees = yield* Effect.forEach([0, 1, 2, 3], shardCommittee)
        const records = yield* Effect.forEach([0, 1, 2, 3], (i) =>
          devnet
            .registry(i)
            .ask(new ProverInfo({ address: joinerKey.address }))
            .pipe(Effect.orDie),
        )
        const imposters = yield* Effect.forEach([0, 1, 2, 3], (i) =>
          devnet
            .registry(i)
            .ask(new ProverInfo({ address: imposterKey.address }))
            .pipe(Effect.orDie),
        )
        const global = yield* Effect.forEach([0, 1, 2, 3], (i) => globalCommittee(devnet, i))
        return { joinedAt, confirmFrom, joining, confirmed, committees, records, imposters, global, joiner: bytesToHex(joinerKey.address) }
      }),
    )
    for (const r of result.joining) {
      expect(r?.status).toBe("Joining")
      expect(r?.allocations[0]?.joinFrameNumber).toBe(result.joinedAt)
    }
    expect(result.confirmed).toBe(true)
    for (const c of result.committees) expect(c).toEqual([result.joiner])
    for (const r of result.records) {
      expect(r?.status).toBe("Active")
      expect(r?.allocations[0]?.joinConfirmFrameNumber).toBe(result.confirmFrom)
    }
    for (const i of result.imposters) expect(i).toBeNull()
    // A shard allocation does not make a global prover.
    for (const g of result.global) expect(g.length).toBe(4)
  }, 180_000)
})
