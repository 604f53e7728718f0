// Prover lifecycle requests carried by global frames (D-GC-19) and applied by every node's prover registry
// at the committed frame (prover-registry D-REG-7): a join proven against a committed frame, its confirm
// inside the devnet window and a leave change a shard's committee on all four nodes alike, at the same
// frames; a join with a wrong proof is carried and refused alike; a global prover's leave changes the global
// chain's committee at a frame boundary on every node (D-GLOB-9 lifted, consensus D-HS-8). The
// shard's committee by committed frame (D-REG-8) is the same on every node, and the same after all four restart.
// Crypto: the INSECURE test BLS and VDF stand-ins (the registry verifies with the node's).
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { encodeLifecycleRequest } from "../../actors/consensus/global/lifecycle-requests.ts"
import { decodeCertifiedFrame } from "../../actors/consensus/global/persistence.ts"
import { ActiveProvers, CommitteeAt, GetRewardProgress, ProverInfo } from "../../actors/prover-registry/index.ts"
import { buildProverConfirm, buildProverJoin, buildProverLeave, encodeLifecycleOp, joinProofIds, type LifecycleSigner } from "../../intrinsics/global/index.ts"
import { sha3_256 } from "@noble/hashes/sha3.js"
import { type Devnet, insecureTestVdfOutput, makeInsecureTestSigner } from "quilbun/testing"
import { bitmaskIndices } from "../../actors/consensus/core/signer-bitmask.ts"
import { allAtLeast, chainsConsistent, runDevnet } from "./helpers.ts"

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
  test("a global prover's leave changes the global committee at a frame boundary on every node: from there it never signs, and the chain survives a restart of every node (D-GLOB-9 lifted)", async () => {
    const result = await runDevnet({ nodes: 4, seed: 16 }, (devnet) =>
      Effect.gen(function* () {
        yield* devnet.runUntil(allAtLeast(devnet, 3n), { maxMs: 30_000, stepMs: 100 })
        const signedAt = (yield* devnet.status(0)).committedHead.frameNumber
        const leaver = devnet.nodes[3]?.signer.address ?? new Uint8Array()
        const leave = encodeLifecycleRequest(
          encodeLifecycleOp(buildProverLeave({ poseidon: devnet.poseidon }, lifecycleSigner(devnet, 3), [new Uint8Array()], signedAt)),
          TIMESTAMP,
        )
        devnet.submitLifecycle(leave)
        const left = yield* devnet.runUntil(
          Effect.map(
            Effect.forEach([0, 1, 2, 3], (i) => globalCommittee(devnet, i)),
            (all) => all.every((c) => c.length === 3),
          ),
          { maxMs: 120_000, stepMs: 100 },
        )
        const leaveFrames = yield* Effect.forEach([0, 1, 2, 3], (i) => carriedAt(devnet, i, leave))
        const carriedFrame = leaveFrames[0]?.[0] ?? 0n
        // Well past the boundary (finalized ancestor − 4 at or above the carrying frame).
        const top = carriedFrame + 12n
        const reached = yield* devnet.runUntil(allAtLeast(devnet, top), { maxMs: 120_000, stepMs: 100 })
        const after = yield* Effect.forEach([0, 1, 2, 3], (i) => globalCommittee(devnet, i))
        for (const i of [0, 1, 2, 3]) yield* devnet.crash(i)
        for (const i of [0, 1, 2, 3]) yield* devnet.restart(i)
        const resumed = yield* devnet.runUntil(allAtLeast(devnet, top + 5n), { maxMs: 120_000, stepMs: 100 })
        const frames = (yield* devnet.committed(0, 1n, top + 5n)).map(decodeCertifiedFrame)
        return { left, reached, leaveFrames, carriedFrame, after, resumed, frames, leaver: bytesToHex(leaver), consistent: yield* chainsConsistent(devnet) }
      }),
    )
    expect(result.left).toBe(true)
    expect(result.carriedFrame).toBeGreaterThan(0n)
    for (const f of result.leaveFrames) expect(f).toEqual(result.leaveFrames[0] ?? [])
    for (const c of result.after) expect(c).not.toContain(result.leaver)
    expect(result.reached).toBe(true)
    expect(result.resumed).toBe(true)
    expect(result.consistent).toBe(true)
    // Frames proposed well after the boundary are certified by a 3-member bitmask: the leaver's bit is gone.
    const late = result.frames.filter((f) => f.frame.header.frameNumber >= result.carriedFrame + 8n)
    expect(late.length).toBeGreaterThan(0)
    for (const f of late) {
      expect(bytesToHex(f.frame.header.prover)).not.toBe(result.leaver)
      expect(Math.max(...bitmaskIndices(f.qc.aggregateSignature?.bitmask ?? new Uint8Array()))).toBeLessThan(3)
    }
  }, 400_000)

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
        const confirm = encodeLifecycleRequest(encodeLifecycleOp(buildProverConfirm(crypto, joiner, [shard], confirmFrom)), TIMESTAMP)
        devnet.submitLifecycle(confirm)
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
        // And leaving the shard takes it out of that committee on every node.
        const leaveAt = (yield* devnet.status(0)).committedHead.frameNumber
        const leave = encodeLifecycleRequest(encodeLifecycleOp(buildProverLeave(crypto, joiner, [shard], leaveAt)), TIMESTAMP)
        devnet.submitLifecycle(leave)
        const left = yield* devnet.runUntil(
          Effect.map(Effect.forEach([0, 1, 2, 3], shardCommittee), (all) => all.every((c) => c.length === 0)),
          { maxMs: 60_000, stepMs: 100 },
        )
        const leaveFrames = yield* Effect.forEach([0, 1, 2, 3], (i) => carriedAt(devnet, i, leave))
        const confirmFrames = yield* Effect.forEach([0, 1, 2, 3], (i) => carriedAt(devnet, i, confirm))
        // D-REG-8: the shard's committee by committed global frame, on every node, then after every node restarted.
        const applied = yield* Effect.map(
          Effect.forEach([0, 1, 2, 3], (i) => Effect.orDie(devnet.registry(i).ask(new GetRewardProgress()))),
          (ps) => ps.reduce((m, p) => (p.creditedThrough < m ? p.creditedThrough : m), ps[0]?.creditedThrough ?? 0n),
        )
        const historyOf = (i: number) =>
          Effect.forEach(
            Array.from({ length: Number(applied) + 1 }, (_, n) => BigInt(n)),
            (n) =>
              Effect.map(Effect.either(devnet.registry(i).ask(new CommitteeAt({ filter: shard, frameNumber: n }))), (e) =>
                Either.isRight(e) ? e.right.map((p) => bytesToHex(p.address)).join(",") : e.left._tag === "CommitteeUnknown" ? e.left.reason : e.left._tag,
              ),
          )
        const histories = yield* Effect.forEach([0, 1, 2, 3], historyOf)
        for (const i of [0, 1, 2, 3]) yield* devnet.crash(i)
        for (const i of [0, 1, 2, 3]) yield* devnet.restart(i)
        const resumed = yield* devnet.runUntil(allAtLeast(devnet, applied + 3n), { maxMs: 60_000, stepMs: 100 })
        const restartedHistories = yield* Effect.forEach([0, 1, 2, 3], historyOf)
        return {
          joinedAt,
          confirmFrom,
          joining,
          confirmed,
          committees,
          records,
          imposters,
          global,
          left,
          leaveFrames,
          confirmFrames,
          histories,
          resumed,
          restartedHistories,
          joiner: bytesToHex(joinerKey.address),
        }
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
    expect(result.left).toBe(true)
    expect(result.leaveFrames[0]?.length).toBe(1)
    for (const f of result.leaveFrames) expect(f).toEqual(result.leaveFrames[0] ?? [])
    // The committee history: empty until the confirm's frame, the joiner until the leave's frame, then empty again
    // — identical on every node, and identical after all four restarted (the chain resumed).
    const confirmedAt = result.confirmFrames[0]?.[0] ?? -1n
    const leftAt = result.leaveFrames[0]?.[0] ?? -1n
    expect(confirmedAt).toBeGreaterThan(result.joinedAt)
    expect(leftAt).toBeGreaterThan(confirmedAt)
    const expected = (result.histories[0] ?? []).map((_, n) => (BigInt(n) >= confirmedAt && BigInt(n) < leftAt ? result.joiner : ""))
    expect(expected.length).toBeGreaterThan(Number(leftAt))
    for (const h of result.histories) expect(h).toEqual(expected)
    expect(result.resumed).toBe(true)
    for (const h of result.restartedHistories) expect(h).toEqual(expected)
  }, 180_000)
})
