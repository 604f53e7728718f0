// The global consensus actor through the devnet harness: restart from persisted state, and rejection of
// malformed or forged traffic with a reason and a penalty for the sender.
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { Inbound } from "../../actors/consensus/global/protocol.ts"
import { encodeProposalVote, ProposalVote } from "../../actors/consensus/core/messages/proposal-vote.ts"
import { BLS48581AddressedSignature } from "../../actors/consensus/core/messages/signatures.ts"
import { encodeTimeoutState, TimeoutState } from "../../actors/consensus/core/messages/timeout-state.ts"
import { genesisQuorumCertificate } from "../../actors/consensus/core/frame-production.ts"
import { makeTimeoutMessage, timeoutDomain } from "../../actors/consensus/core/signed-messages.ts"
import { makeInsecureTestSigner } from "../../runtime/testing/insecure-test-bls.ts"
import { allAtLeast, runDevnet } from "./helpers.ts"

describe("global consensus actor", () => {
  test("a one-prover committee commits alone; after a restart it resumes from its persisted head and safety state", async () => {
    const r = await runDevnet({ nodes: 1, seed: 71 }, (devnet) =>
      Effect.gen(function* () {
        yield* devnet.runUntil(allAtLeast(devnet, 6n), { maxMs: 10_000 })
        const before = yield* devnet.status(0)
        yield* devnet.crash(0)
        yield* devnet.restart(0)
        const after = yield* devnet.status(0)
        yield* devnet.runUntil(allAtLeast(devnet, before.committedHead.frameNumber + 5n), { maxMs: 10_000 })
        const later = yield* devnet.status(0)
        return { before, after, later }
      }),
    )
    expect(r.before.committedHead.frameNumber >= 6n).toBe(true)
    expect(r.after.committedHead).toEqual(r.before.committedHead)
    expect(r.after.latestAcknowledgedRank).toBe(r.before.latestAcknowledgedRank)
    expect(r.after.currentRank >= r.before.committedHead.rank).toBe(true)
    expect(r.later.committedHead.frameNumber >= r.before.committedHead.frameNumber + 5n).toBe(true)
  }, 30_000)

  test("undecodable bytes, forged votes and timeouts from outsiders are rejected with a reason and penalized", async () => {
    const r = await runDevnet({ nodes: 4, seed: 72 }, (devnet) =>
      Effect.gen(function* () {
        yield* devnet.runUntil(allAtLeast(devnet, 2n), { maxMs: 10_000 })
        const ref = devnet.ref(0)
        const tell = (m: Inbound) => ref.tell(m).pipe(Effect.orDie)
        yield* tell(new Inbound({ from: "mallory", data: Uint8Array.of(1, 2, 3, 4, 5) }))
        const honest = devnet.nodes[1]?.signer
        const st = yield* devnet.status(0)
        // A vote claiming an honest prover's address with a signature that is not theirs.
        const forged = new ProposalVote({
          filter: new Uint8Array(),
          rank: st.currentRank,
          frameNumber: 1n,
          selector: new Uint8Array(32).fill(9),
          timestamp: 0n,
          publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature: new Uint8Array(74).fill(1), address: honest?.address ?? new Uint8Array(32) }),
        })
        yield* tell(new Inbound({ from: "trudy", data: encodeProposalVote(forged) }))
        // A correctly signed timeout from a key outside the committee.
        const outsider = makeInsecureTestSigner(Uint8Array.of(42), devnet.poseidon)
        const qc = genesisQuorumCertificate({ filter: new Uint8Array(), frameNumber: 0n, selector: new Uint8Array(32), timestamp: 0n })
        const signature = Effect.runSync(outsider.sign(makeTimeoutMessage(new Uint8Array(), st.currentRank, 0n), timeoutDomain(new Uint8Array())))
        const timeout = new TimeoutState({
          latestQuorumCertificate: qc,
          vote: new ProposalVote({
            filter: new Uint8Array(),
            rank: 1n,
            frameNumber: 0n,
            selector: new Uint8Array(),
            timestamp: 0n,
            publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature, address: outsider.address }),
          }),
          timeoutTick: 0n,
          timestamp: 0n,
        })
        yield* tell(
          new Inbound({
            from: "oscar",
            data: encodeTimeoutState(new TimeoutState({ ...timeout, vote: new ProposalVote({ ...(timeout.vote ?? forged), rank: st.currentRank }) })),
          }),
        )
        return yield* devnet.status(0)
      }),
    )
    const byPeer = (peer: string) => r.rejections.filter((x) => x.from === peer)
    expect(byPeer("mallory").map((x) => [x.kind, x.reason])).toEqual([["undecodable", "Undecodable"]])
    expect(byPeer("trudy").map((x) => [x.kind, x.reason])).toEqual([["vote", "InvalidCertificateSignature"]])
    expect(byPeer("oscar").map((x) => x.kind)).toEqual(["timeout"])
    expect(byPeer("oscar")[0]?.reason).toBeOneOf(["UnknownSigner", "BadRankEvidence"])
    expect(r.penalties).toMatchObject({ mallory: 1, trudy: 1, oscar: 1 })
  }, 30_000)
})
