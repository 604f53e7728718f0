import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Either } from "effect"
import { AppFrameHeader, decodeAppFrameHeader, encodeAppFrameHeader } from "../../../../../../actors/consensus/core/messages/app-frame-header.ts"
import { AppShardFrame, decodeAppShardFrame, encodeAppShardFrame } from "../../../../../../actors/consensus/core/messages/app-shard-frame.ts"
import { decodeGlobalFrame, encodeGlobalFrame, GlobalFrame } from "../../../../../../actors/consensus/core/messages/global-frame.ts"
import { decodeGlobalFrameHeader, encodeGlobalFrameHeader, GlobalFrameHeader } from "../../../../../../actors/consensus/core/messages/global-frame-header.ts"
import { decodeProposalVote, encodeProposalVote, ProposalVote } from "../../../../../../actors/consensus/core/messages/proposal-vote.ts"
import {
  AppShardProposal,
  decodeAppShardProposal,
  decodeGlobalProposal,
  encodeAppShardProposal,
  encodeGlobalProposal,
  GlobalProposal,
  proposalRank,
} from "../../../../../../actors/consensus/core/messages/proposals.ts"
import {
  decodeProverLivenessCheck,
  encodeProverLivenessCheck,
  livenessCheckSigningPayload,
  ProverLivenessCheck,
} from "../../../../../../actors/consensus/core/messages/prover-liveness-check.ts"
import { decodeQuorumCertificate, encodeQuorumCertificate, QuorumCertificate } from "../../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import {
  BLS48581AddressedSignature,
  BLS48581AggregateSignature,
  decodeAddressedSignature,
  decodeAggregateSignature,
  encodeAddressedSignature,
  encodeAggregateSignature,
} from "../../../../../../actors/consensus/core/messages/signatures.ts"
import { decodeTimeoutCertificate, encodeTimeoutCertificate, TimeoutCertificate } from "../../../../../../actors/consensus/core/messages/timeout-certificate.ts"
import { decodeTimeoutState, encodeTimeoutState, TimeoutState } from "../../../../../../actors/consensus/core/messages/timeout-state.ts"
import { filled, hex, rep, u32, u64 } from "../support/hex.ts"

/**
 * Golden bytes written out field by field from consensus.md §0/§1 (type prefix table, field order,
 * u32 length prefixes, BLS48581G2PublicKey = prefix ‖ 585 raw bytes), then round-tripped.
 */

const roundTrip = <T>(encoded: Uint8Array, decode: (b: Uint8Array) => Either.Either<T, unknown>, encode: (t: T) => Uint8Array) => {
  const decoded = decode(encoded)
  expect(Either.isRight(decoded)).toBe(true)
  expect(bytesToHex(encode(Either.getOrThrow(decoded)))).toBe(bytesToHex(encoded))
}

const addressed = new BLS48581AddressedSignature({ signature: filled(0xaa, 74), address: filled(0xbb, 32) })
// 0x011B ‖ u32 74 ‖ sig ‖ u32 32 ‖ address  → 4 + 78 + 36 = 118 bytes
const addressedHex = hex(u32(0x011b), u32(74), rep("aa", 74), u32(32), rep("bb", 32))

const aggregate = new BLS48581AggregateSignature({ signature: filled(0xcc, 74), publicKey: filled(0xdd, 585), bitmask: hexToBytes("05") })
// 0x011C ‖ u32 74 ‖ sig ‖ u32 589 ‖ (0x0117 ‖ 585 key bytes) ‖ u32 1 ‖ bitmask
const aggregateHex = hex(u32(0x011c), u32(74), rep("cc", 74), u32(589), u32(0x0117), rep("dd", 585), u32(1), "05")

describe("signatures", () => {
  test("BLS48581AddressedSignature", () => {
    expect(addressedHex.length / 2).toBe(118)
    expect(bytesToHex(encodeAddressedSignature(addressed))).toBe(addressedHex)
    roundTrip(hexToBytes(addressedHex), decodeAddressedSignature, encodeAddressedSignature)
  })

  test("BLS48581AggregateSignature with and without a public key", () => {
    expect(bytesToHex(encodeAggregateSignature(aggregate))).toBe(aggregateHex)
    roundTrip(hexToBytes(aggregateHex), (b) => decodeAggregateSignature(b), encodeAggregateSignature)
    const empty = new BLS48581AggregateSignature({ signature: new Uint8Array(), bitmask: new Uint8Array() })
    expect(bytesToHex(encodeAggregateSignature(empty))).toBe(hex(u32(0x011c), u32(0), u32(0), u32(0)))
    roundTrip(encodeAggregateSignature(empty), (b) => decodeAggregateSignature(b), encodeAggregateSignature)
  })

  test("a full global-header signature block is exactly the 711-byte limit", () => {
    const full = new BLS48581AggregateSignature({ signature: filled(1, 74), publicKey: filled(2, 585), bitmask: filled(3, 32) })
    expect(encodeAggregateSignature(full).length).toBe(711)
  })

  test("a public key of the wrong size is a decode error", () => {
    const shortKey = hex(u32(0x011c), u32(0), u32(8), u32(0x0117), rep("dd", 4), u32(0))
    expect(Either.isLeft(decodeAggregateSignature(hexToBytes(shortKey)))).toBe(true)
  })
})

const commitments = Array.from({ length: 256 }, (_, i) => filled(i, i % 2 === 0 ? 64 : 74))
const globalHeader = new GlobalFrameHeader({
  frameNumber: 244201n,
  rank: 17n,
  timestamp: 1762862410000n,
  difficulty: 80076,
  output: filled(0x11, 516),
  parentSelector: filled(0x22, 32),
  globalCommitments: commitments,
  proverTreeCommitment: filled(0x33, 74),
  requestsRoot: filled(0x44, 64),
  prover: filled(0x55, 32),
  publicKeySignatureBls48581: aggregate,
})
const globalHeaderHex = hex(
  u32(0x0309),
  u64(244201n),
  u64(17n),
  u64(1762862410000n),
  u32(80076),
  u32(516),
  rep("11", 516),
  u32(32),
  rep("22", 32),
  u32(256),
  ...commitments.map((c, i) => u32(c.length) + rep(i.toString(16).padStart(2, "0"), c.length)),
  u32(74),
  rep("33", 74),
  u32(64),
  rep("44", 64),
  u32(32),
  rep("55", 32),
  u32(aggregateHex.length / 2),
  aggregateHex,
)

const appHeader = new AppFrameHeader({
  address: filled(0x01, 32),
  frameNumber: 9n,
  rank: 3n,
  timestamp: 1_700_000_000_000n,
  difficulty: 50_000,
  output: filled(0x02, 516),
  parentSelector: filled(0x03, 32),
  requestsRoot: filled(0x04, 74),
  stateRoots: [filled(0x05, 64), filled(0x06, 74), filled(0x07, 64), filled(0x08, 74)],
  prover: filled(0x09, 32),
  feeMultiplierVote: 100n,
})
const appHeaderHex = hex(
  u32(0x030a),
  u32(32),
  rep("01", 32),
  u64(9n),
  u64(3n),
  u64(1_700_000_000_000n),
  u32(50_000),
  u32(516),
  rep("02", 516),
  u32(32),
  rep("03", 32),
  u32(74),
  rep("04", 74),
  u32(4),
  u32(64) + rep("05", 64),
  u32(74) + rep("06", 74),
  u32(64) + rep("07", 64),
  u32(74) + rep("08", 74),
  u32(32),
  rep("09", 32),
  u64(100n),
  u32(0),
)

describe("frame headers", () => {
  test("GlobalFrameHeader", () => {
    expect(bytesToHex(encodeGlobalFrameHeader(globalHeader))).toBe(globalHeaderHex)
    roundTrip(hexToBytes(globalHeaderHex), decodeGlobalFrameHeader, encodeGlobalFrameHeader)
  })

  test("GlobalFrameHeader with a negative int64 timestamp round-trips", () => {
    const h = new GlobalFrameHeader({ ...globalHeader, timestamp: -1n })
    const bytes = encodeGlobalFrameHeader(h)
    expect(bytesToHex(bytes.subarray(20, 28))).toBe("ffffffffffffffff")
    expect(Either.getOrThrow(decodeGlobalFrameHeader(bytes)).timestamp).toBe(-1n)
  })

  test("FrameHeader (app), unsigned", () => {
    expect(bytesToHex(encodeAppFrameHeader(appHeader))).toBe(appHeaderHex)
    roundTrip(hexToBytes(appHeaderHex), decodeAppFrameHeader, encodeAppFrameHeader)
  })

  test("FrameHeader requires exactly 516 output bytes and 4 state roots", () => {
    const shortOutput = encodeAppFrameHeader(new AppFrameHeader({ ...appHeader, output: filled(2, 515) }))
    expect(Either.match(decodeAppFrameHeader(shortOutput), { onLeft: (e) => e._tag, onRight: () => "ok" })).toBe("CanonicalBadLength")
    const threeRoots = encodeAppFrameHeader(new AppFrameHeader({ ...appHeader, stateRoots: appHeader.stateRoots.slice(0, 3) }))
    expect(Either.match(decodeAppFrameHeader(threeRoots), { onLeft: (e) => e._tag, onRight: () => "ok" })).toBe("CanonicalBadLength")
  })
})

const selector = filled(0x66, 32)
const vote = new ProposalVote({
  filter: new Uint8Array(),
  rank: 5n,
  frameNumber: 7n,
  selector,
  timestamp: 1000n,
  publicKeySignatureBls48581: addressed,
})
const voteHex = hex(u32(0x030c), u32(0), u64(5n), u64(7n), u32(32), rep("66", 32), u64(1000n), u32(118), addressedHex)

const qc = new QuorumCertificate({
  filter: filled(0x01, 32),
  rank: 4n,
  frameNumber: 6n,
  selector,
  timestamp: 999n,
  aggregateSignature: aggregate,
})
const qcHex = hex(u32(0x030d), u32(32), rep("01", 32), u64(4n), u64(6n), u32(32), rep("66", 32), u64(999n), u32(aggregateHex.length / 2), aggregateHex)

const tc = new TimeoutCertificate({
  filter: new Uint8Array(),
  rank: 8n,
  latestRanks: [4n, 6n],
  latestQuorumCertificate: qc,
  timestamp: 1234n,
  aggregateSignature: aggregate,
})
const tcHex = hex(u32(0x031d), u32(0), u64(8n), u32(2), u64(4n), u64(6n), u32(qcHex.length / 2), qcHex, u64(1234n), u32(aggregateHex.length / 2), aggregateHex)

describe("votes and certificates", () => {
  test("ProposalVote", () => {
    expect(bytesToHex(encodeProposalVote(vote))).toBe(voteHex)
    roundTrip(hexToBytes(voteHex), decodeProposalVote, encodeProposalVote)
  })

  test("QuorumCertificate", () => {
    expect(bytesToHex(encodeQuorumCertificate(qc))).toBe(qcHex)
    roundTrip(hexToBytes(qcHex), decodeQuorumCertificate, encodeQuorumCertificate)
  })

  test("TimeoutCertificate", () => {
    expect(bytesToHex(encodeTimeoutCertificate(tc))).toBe(tcHex)
    roundTrip(hexToBytes(tcHex), decodeTimeoutCertificate, encodeTimeoutCertificate)
  })

  test("TimeoutState: absent parts are zero lengths", () => {
    const timeoutVote = new ProposalVote({ filter: new Uint8Array(), rank: 9n, frameNumber: 0n, selector: new Uint8Array(), timestamp: 5n })
    const ts = new TimeoutState({ latestQuorumCertificate: qc, vote: timeoutVote, timeoutTick: 2n, timestamp: 77n })
    const timeoutVoteHex = hex(u32(0x030c), u32(0), u64(9n), u64(0n), u32(0), u64(5n), u32(0))
    const expected = hex(u32(0x031c), u32(qcHex.length / 2), qcHex, u32(0), u32(timeoutVoteHex.length / 2), timeoutVoteHex, u64(2n), u64(77n))
    expect(bytesToHex(encodeTimeoutState(ts))).toBe(expected)
    roundTrip(hexToBytes(expected), decodeTimeoutState, encodeTimeoutState)
  })

  test("ProverLivenessCheck and its signing payload", () => {
    const check = new ProverLivenessCheck({
      filter: filled(0x01, 32),
      rank: 3n,
      frameNumber: 10n,
      timestamp: 55n,
      commitmentHash: filled(0x77, 32),
      publicKeySignatureBls48581: addressed,
    })
    const body = hex(u32(0x030b), u32(32), rep("01", 32), u64(3n), u64(10n), u64(55n), u32(32), rep("77", 32))
    expect(bytesToHex(encodeProverLivenessCheck(check))).toBe(body + u32(118) + addressedHex)
    expect(bytesToHex(livenessCheckSigningPayload(check))).toBe(body + u32(0))
    roundTrip(encodeProverLivenessCheck(check), decodeProverLivenessCheck, encodeProverLivenessCheck)
    // The reference rejects an unsigned liveness check at decode time.
    expect(Either.isLeft(decodeProverLivenessCheck(hexToBytes(body + u32(0))))).toBe(true)
  })
})

const bundle = hexToBytes(hex(u32(0x0312), u32(0), u64(42n)))

describe("frames and proposals", () => {
  test("GlobalFrame carries MessageBundles as opaque canonical bytes", () => {
    const frame = new GlobalFrame({ header: globalHeader, requests: [bundle] })
    const expected = hex(u32(0x030e), u32(globalHeaderHex.length / 2), globalHeaderHex, u32(1), u32(bundle.length), bytesToHex(bundle))
    expect(bytesToHex(encodeGlobalFrame(frame))).toBe(expected)
    roundTrip(hexToBytes(expected), decodeGlobalFrame, encodeGlobalFrame)
    const notABundle = hex(u32(0x030e), u32(globalHeaderHex.length / 2), globalHeaderHex, u32(1), u32(4), u32(0x0311))
    expect(Either.match(decodeGlobalFrame(hexToBytes(notABundle)), { onLeft: (e) => e._tag, onRight: () => "ok" })).toBe("CanonicalBadTypePrefix")
  })

  test("GlobalProposal with and without a prior TC", () => {
    const frame = new GlobalFrame({ header: globalHeader, requests: [] })
    const frameHex = bytesToHex(encodeGlobalFrame(frame))
    const globalQc = new QuorumCertificate({ ...qc, filter: new Uint8Array() })
    const globalQcHex = bytesToHex(encodeQuorumCertificate(globalQc))
    const p = new GlobalProposal({ state: frame, parentQuorumCertificate: globalQc, vote })
    const expected = hex(u32(0x0317), u32(frameHex.length / 2), frameHex, u32(globalQcHex.length / 2), globalQcHex, u32(0), u32(voteHex.length / 2), voteHex)
    expect(bytesToHex(encodeGlobalProposal(p))).toBe(expected)
    roundTrip(hexToBytes(expected), decodeGlobalProposal, encodeGlobalProposal)
    const withTc = new GlobalProposal({ ...p, priorRankTimeoutCertificate: new TimeoutCertificate({ ...tc, latestQuorumCertificate: globalQc }) })
    roundTrip(encodeGlobalProposal(withTc), decodeGlobalProposal, encodeGlobalProposal)
    expect(proposalRank(withTc)).toBe(17n)
  })

  test("AppShardProposal", () => {
    const frame = new AppShardFrame({ header: appHeader, requests: [bundle] })
    const p = new AppShardProposal({ state: frame, parentQuorumCertificate: qc, priorRankTimeoutCertificate: tc, vote })
    const frameHex = bytesToHex(encodeAppShardFrame(frame))
    const expected = hex(
      u32(0x0318),
      u32(frameHex.length / 2),
      frameHex,
      u32(qcHex.length / 2),
      qcHex,
      u32(tcHex.length / 2),
      tcHex,
      u32(voteHex.length / 2),
      voteHex,
    )
    expect(bytesToHex(encodeAppShardProposal(p))).toBe(expected)
    roundTrip(hexToBytes(expected), decodeAppShardProposal, encodeAppShardProposal)
    roundTrip(encodeAppShardFrame(frame), decodeAppShardFrame, encodeAppShardFrame)
    expect(proposalRank(p)).toBe(8n)
  })

  test("a proposal without its parent QC is rejected", () => {
    const frameHex = bytesToHex(encodeGlobalFrame(new GlobalFrame({ header: globalHeader, requests: [] })))
    const missingQc = hex(u32(0x0317), u32(frameHex.length / 2), frameHex, u32(0), u32(0), u32(voteHex.length / 2), voteHex)
    expect(Either.match(decodeGlobalProposal(hexToBytes(missingQc)), { onLeft: (e) => e._tag, onRight: () => "ok" })).toBe("CanonicalMissingField")
  })
})
