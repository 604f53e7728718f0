import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Either } from "effect"
import {
  decodeCertifiedFrame,
  decodeHead,
  decodeLiveness,
  decodeSafety,
  encodeCertifiedFrame,
  encodeHead,
  encodeLiveness,
  encodeSafety,
} from "../../../../../actors/consensus/global/persistence.ts"
import { decodeSyncRequest, decodeSyncResponse, decodeWire, encodeSyncRequest, encodeSyncResponse } from "../../../../../actors/consensus/global/wire.ts"
import { genesisQuorumCertificate, stubGlobalGenesisHeader } from "../../../../../actors/consensus/core/frame-production.ts"
import { GlobalFrame } from "../../../../../actors/consensus/core/messages/global-frame.ts"
import { encodeProposalVote, ProposalVote } from "../../../../../actors/consensus/core/messages/proposal-vote.ts"
import { BLS48581AddressedSignature } from "../../../../../actors/consensus/core/messages/signatures.ts"
import { TimeoutCertificate } from "../../../../../actors/consensus/core/messages/timeout-certificate.ts"
import { TimeoutState } from "../../../../../actors/consensus/core/messages/timeout-state.ts"
import { LivenessState } from "../../../../../actors/consensus/core/rank-tracker.ts"
import { ConsensusState } from "../../../../../actors/consensus/core/safety-rules.ts"

const qc = genesisQuorumCertificate({ filter: new Uint8Array(), frameNumber: 0n, selector: new Uint8Array(32).fill(3), timestamp: 7n })
const vote = new ProposalVote({
  filter: new Uint8Array(),
  rank: 9n,
  frameNumber: 0n,
  selector: new Uint8Array(),
  timestamp: 5n,
  publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature: new Uint8Array(74).fill(1), address: new Uint8Array(32).fill(2) }),
})

describe("persisted consensus records", () => {
  test("safety state round-trips with and without a stored timeout", () => {
    const plain = new ConsensusState({ filter: new Uint8Array(), highestVotedParentRank: 4n, latestAcknowledgedRank: 6n })
    expect(decodeSafety(encodeSafety(plain))).toEqual(plain)
    const withTimeout = new ConsensusState({ ...plain, latestTimeout: new TimeoutState({ latestQuorumCertificate: qc, vote, timeoutTick: 2n, timestamp: 5n }) })
    expect(decodeSafety(encodeSafety(withTimeout))).toEqual(withTimeout)
  })

  test("liveness state, head pointer and certified frames round-trip", () => {
    const tc = new TimeoutCertificate({ filter: new Uint8Array(), rank: 8n, latestRanks: [0n, 0n, 0n], latestQuorumCertificate: qc, timestamp: 1n })
    const live = new LivenessState({ filter: new Uint8Array(), currentRank: 9n, latestQuorumCertificate: qc, priorRankTimeoutCertificate: tc })
    expect(decodeLiveness(encodeLiveness(live))).toEqual(live)
    expect(decodeHead(encodeHead(123n))).toBe(123n)
    const frame = new GlobalFrame({ header: stubGlobalGenesisHeader({ timestamp: 1n, difficulty: 1 }), requests: [] })
    expect(decodeCertifiedFrame(encodeCertifiedFrame({ frame, qc }))).toEqual({ frame, qc })
  })

  test("corrupt records are refused", () => {
    expect(() => decodeSafety(new Uint8Array([1, 2, 3]))).toThrow()
    const bytes = encodeHead(1n)
    expect(() => decodeHead(bytes.subarray(0, 7))).toThrow()
  })
})

describe("wire", () => {
  test("consensus payloads are told apart by type prefix; anything else is undecodable", () => {
    const decoded = decodeWire(encodeProposalVote(vote))
    expect(decoded._tag).toBe("Vote")
    expect(decoded._tag === "Vote" ? decoded.vote : undefined).toEqual(vote)
    expect(decodeWire(new Uint8Array([0, 0, 3]))._tag).toBe("Undecodable")
    expect(decodeWire(new Uint8Array([0, 0, 3, 0x0d, 0, 0]))._tag).toBe("Undecodable")
    const truncated = encodeProposalVote(vote).subarray(0, 30)
    expect(decodeWire(truncated)._tag).toBe("Undecodable")
  })

  test("sync request and response round-trip", () => {
    const req = decodeSyncRequest(encodeSyncRequest({ fromFrameNumber: 17n, limit: 64 }))
    expect(Either.getOrThrow(req)).toEqual({ fromFrameNumber: 17n, limit: 64 })
    const frame = new GlobalFrame({ header: stubGlobalGenesisHeader({ timestamp: 1n, difficulty: 1 }), requests: [] })
    const bytes = encodeSyncResponse({ headFrameNumber: 2n ** 40n + 3n, frames: [{ frame, qc }], proposals: [] })
    const res = Either.getOrThrow(decodeSyncResponse(bytes))
    expect(res.headFrameNumber).toBe(2n ** 40n + 3n)
    expect(res.frames).toEqual([{ frame, qc }])
    expect(res.proposals).toEqual([])
    // The head leads the response as a big-endian u64.
    expect(bytesToHex(bytes.subarray(0, 8))).toBe("0000010000000003")
    expect(Either.getOrThrow(decodeSyncResponse(encodeSyncResponse({ headFrameNumber: 0n, frames: [], proposals: [] })))).toEqual({
      headFrameNumber: 0n,
      frames: [],
      proposals: [],
    })
  })

  test("short, truncated or padded sync responses decode to a typed Left", () => {
    const frame = new GlobalFrame({ header: stubGlobalGenesisHeader({ timestamp: 1n, difficulty: 1 }), requests: [] })
    const bytes = encodeSyncResponse({ headFrameNumber: 9n, frames: [{ frame, qc }], proposals: [] })
    const bad = [
      new Uint8Array(),
      new Uint8Array([0, 0, 0, 9]), // shorter than the head
      bytes.subarray(0, 8), // head only, no frame count
      bytes.subarray(0, 20), // a frame cut short
      bytes.subarray(0, bytes.length - 1), // proposal count cut short
      Uint8Array.of(...bytes, 0), // trailing byte
    ]
    for (const data of bad) {
      const decoded = decodeSyncResponse(data)
      expect(Either.isLeft(decoded)).toBe(true)
      if (Either.isLeft(decoded)) expect(typeof decoded.left._tag).toBe("string")
    }
  })
})
