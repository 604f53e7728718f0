// Batched vote verification and the verified-certificate cache in the engine (D-GC-14), on a 4-node
// devnet with a counting wrapper around the insecure BLS stand-in: a forged vote among good ones is
// caught by the fallback after the aggregate check fails and its sender is penalized; every QC's
// aggregate signature is verified at most once per node.
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { decodeWire } from "../../actors/consensus/global/wire.ts"
import { poseidonHashBytes } from "../../crates/ts/poseidon.ts"
import { encodeProposalVote, ProposalVote } from "../../actors/consensus/core/messages/proposal-vote.ts"
import { BLS48581AddressedSignature } from "../../actors/consensus/core/messages/signatures.ts"
import type { BlsVerifierService } from "../../crates/ts/services.ts"
import { insecureTestBlsVerifier, makeInsecureTestSigner } from "../../runtime/testing/insecure-test-bls.ts"
import { insecureTestVdf } from "../../runtime/testing/insecure-test-vdf.ts"
import type { DevnetCrypto } from "../../runtime/testing/devnet.ts"
import { allAtLeast, chainsConsistent, runDevnet } from "./helpers.ts"

const NODES = 4

const GLOBAL_DOMAIN = bytesToHex(new TextEncoder().encode("global"))

interface VerifyCall {
  readonly publicKey: string
  readonly signature: string
  readonly message: string
  readonly ok: boolean
}

/** Devnet crypto whose verifier records every single-message verification under an aggregate key. */
const countingCrypto = () => {
  const signers = Array.from({ length: NODES }, (_, i) => makeInsecureTestSigner(Uint8Array.of(0x60 + i), poseidonHashBytes))
  const singles = new Set(signers.map((s) => bytesToHex(s.publicKey)))
  const aggregateVoteChecks: Array<VerifyCall> = []
  let singleVoteChecks = 0
  const verifier: BlsVerifierService = {
    ...insecureTestBlsVerifier,
    verify: (publicKey, signature, message, domain) =>
      Effect.map(insecureTestBlsVerifier.verify(publicKey, signature, message, domain), (ok) => {
        if (bytesToHex(domain) !== GLOBAL_DOMAIN) return ok
        if (singles.has(bytesToHex(publicKey))) singleVoteChecks++
        else aggregateVoteChecks.push({ publicKey: bytesToHex(publicKey), signature: bytesToHex(signature), message: bytesToHex(message), ok })
        return ok
      }),
  }
  const crypto: DevnetCrypto = { signers, verifiers: signers.map(() => verifier), vdfs: signers.map(() => insecureTestVdf) }
  return { crypto, aggregateVoteChecks, singleVoteChecks: () => singleVoteChecks }
}

describe("vote verification in the global engine", () => {
  test("a forged vote among good ones fails the aggregate check, is found by the fallback and its sender penalized", async () => {
    const { crypto, aggregateVoteChecks } = countingCrypto()
    const forgedFrom = ["node-1", "node-2"]
    let forged = 0
    const r = await runDevnet({ nodes: NODES, seed: 81, crypto }, (devnet) =>
      Effect.gen(function* () {
        yield* devnet.runUntil(allAtLeast(devnet, 2n), { maxMs: 10_000 })
        // From now on the first few votes nodes 1 and 2 gossip to node 0 arrive with a broken signature.
        devnet.network.intercept((m) => {
          if (m.to !== "node-0" || !forgedFrom.includes(m.from) || forged >= 4) return [m.data]
          const decoded = decodeWire(m.data)
          if (decoded._tag !== "Vote") return [m.data]
          const sig = decoded.vote.publicKeySignatureBls48581
          if (sig === undefined) return [m.data]
          const bad = sig.signature.slice()
          bad[10] = (bad[10] ?? 0) ^ 0xff
          forged++
          return [
            encodeProposalVote(
              new ProposalVote({ ...decoded.vote, publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature: bad, address: sig.address }) }),
            ),
          ]
        })
        const before = yield* devnet.status(0)
        yield* devnet.runUntil(allAtLeast(devnet, before.committedHead.frameNumber + 6n), { maxMs: 60_000 })
        return { status: yield* devnet.status(0), consistent: yield* chainsConsistent(devnet) }
      }),
    )
    expect(forged).toBe(4)
    const voteRejections = r.status.rejections.filter((x) => x.kind === "vote")
    // A forged vote that arrives after its selector is certified is never checked (not needed for a QC).
    expect(voteRejections.length).toBeGreaterThanOrEqual(1)
    expect(voteRejections.length).toBeLessThanOrEqual(4)
    expect(voteRejections.every((x) => forgedFrom.includes(x.from) && x.reason === "InvalidCertificateSignature")).toBe(true)
    expect((r.status.penalties["node-1"] ?? 0) + (r.status.penalties["node-2"] ?? 0)).toBe(voteRejections.length)
    expect(r.status.penalties["node-3"]).toBeUndefined()
    // The fallback ran: at least one aggregate check of collected votes failed.
    expect(aggregateVoteChecks.some((c) => !c.ok)).toBe(true)
    expect(r.consistent).toBe(true)
  }, 60_000)

  test("each QC's aggregate signature is verified at most once per node", async () => {
    const { crypto, aggregateVoteChecks, singleVoteChecks } = countingCrypto()
    const r = await runDevnet({ nodes: NODES, seed: 82, crypto }, (devnet) =>
      Effect.gen(function* () {
        yield* devnet.runUntil(allAtLeast(devnet, 10n), { maxMs: 30_000 })
        return { statuses: yield* devnet.statuses }
      }),
    )
    expect(r.statuses.every((s) => s.rejections.length === 0)).toBe(true)
    const perSignature = new Map<string, number>()
    for (const c of aggregateVoteChecks) {
      expect(c.ok).toBe(true)
      const key = `${c.publicKey}:${c.signature}:${c.message}`
      perSignature.set(key, (perSignature.get(key) ?? 0) + 1)
    }
    expect(perSignature.size).toBeGreaterThan(0)
    // Without the shared cache each receiver checked a proposal's QC twice (up to 2 × 3 + 1 per QC).
    expect(Math.max(...perSignature.values())).toBeLessThanOrEqual(NODES)
    // Single-signer vote checks: only each proposal's own vote (≤ 1 per node per proposal) in the
    // normal case, far fewer than one per received vote.
    const frames = Math.min(...r.statuses.map((s) => Number(s.committedHead.frameNumber)))
    expect(singleVoteChecks()).toBeLessThanOrEqual((frames + 4) * NODES)
  }, 60_000)
})
