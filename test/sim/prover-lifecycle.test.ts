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
import { buildProverLeave, encodeLifecycleOp, type LifecycleSigner } from "../../intrinsics/global/index.ts"
import type { Devnet } from "quilbun/testing"
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
})
