import { describe, expect, test } from "bun:test"
import { Either } from "effect"
import { TypePrefix } from "../../../../../../actors/consensus/core/canonical/type-prefix.ts"
import { decodeAppFrameHeader } from "../../../../../../actors/consensus/core/messages/app-frame-header.ts"
import { decodeAppShardFrame } from "../../../../../../actors/consensus/core/messages/app-shard-frame.ts"
import { decodeGlobalFrame, encodeGlobalFrame, GlobalFrame } from "../../../../../../actors/consensus/core/messages/global-frame.ts"
import { decodeGlobalFrameHeader, encodeGlobalFrameHeader, GlobalFrameHeader } from "../../../../../../actors/consensus/core/messages/global-frame-header.ts"
import { decodeProposalVote, encodeProposalVote, ProposalVote } from "../../../../../../actors/consensus/core/messages/proposal-vote.ts"
import {
  decodeAppShardProposal,
  decodeGlobalProposal,
  encodeGlobalProposal,
  GlobalProposal,
} from "../../../../../../actors/consensus/core/messages/proposals.ts"
import { decodeProverLivenessCheck } from "../../../../../../actors/consensus/core/messages/prover-liveness-check.ts"
import { decodeQuorumCertificate, encodeQuorumCertificate, QuorumCertificate } from "../../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import {
  BLS48581AddressedSignature,
  BLS48581AggregateSignature,
  decodeAddressedSignature,
  decodeAggregateSignature,
} from "../../../../../../actors/consensus/core/messages/signatures.ts"
import { decodeTimeoutCertificate, encodeTimeoutCertificate, TimeoutCertificate } from "../../../../../../actors/consensus/core/messages/timeout-certificate.ts"
import { decodeTimeoutState } from "../../../../../../actors/consensus/core/messages/timeout-state.ts"
import { filled } from "../support/hex.ts"

/** Malformed input must only ever produce a typed Left: never a throw, never a huge allocation. */

// Deterministic xorshift so a failure is reproducible.
const rng = (seed: number) => {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s
  }
}

const decoders: ReadonlyArray<readonly [string, number, (b: Uint8Array) => Either.Either<unknown, { readonly _tag: string }>]> = [
  ["BLS48581AddressedSignature", TypePrefix.BLS48581AddressedSignature, decodeAddressedSignature],
  ["BLS48581AggregateSignature", TypePrefix.BLS48581AggregateSignature, (b) => decodeAggregateSignature(b)],
  ["GlobalFrameHeader", TypePrefix.GlobalFrameHeader, decodeGlobalFrameHeader],
  ["FrameHeader", TypePrefix.FrameHeader, decodeAppFrameHeader],
  ["ProposalVote", TypePrefix.ProposalVote, decodeProposalVote],
  ["QuorumCertificate", TypePrefix.QuorumCertificate, decodeQuorumCertificate],
  ["TimeoutCertificate", TypePrefix.TimeoutCertificate, decodeTimeoutCertificate],
  ["TimeoutState", TypePrefix.TimeoutState, decodeTimeoutState],
  ["ProverLivenessCheck", TypePrefix.ProverLivenessCheck, decodeProverLivenessCheck],
  ["GlobalFrame", TypePrefix.GlobalFrame, decodeGlobalFrame],
  ["AppShardFrame", TypePrefix.AppShardFrame, decodeAppShardFrame],
  ["GlobalProposal", TypePrefix.GlobalProposal, decodeGlobalProposal],
  ["AppShardProposal", TypePrefix.AppShardProposal, decodeAppShardProposal],
]

const KNOWN_TAGS = new Set([
  "CanonicalTruncated",
  "CanonicalTrailingBytes",
  "CanonicalBadTypePrefix",
  "CanonicalLengthOverLimit",
  "CanonicalBadLength",
  "CanonicalMissingField",
])

const randomBuffer = (next: () => number, prefix: number): Uint8Array => {
  const length = next() % 200
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = next() & 0xff
  // Half the buffers carry the right prefix so decoding gets past the first field;
  // small length words make nested parsing go deeper.
  if (length >= 4 && next() % 2 === 0) new DataView(bytes.buffer).setUint32(0, prefix, false)
  for (let i = 4; i + 4 <= length; i += 4) if (next() % 3 === 0) new DataView(bytes.buffer).setUint32(i, next() % 80, false)
  return bytes
}

describe("decoders on random input", () => {
  for (const [name, prefix, decode] of decoders) {
    test(`${name}: 10,000 random buffers decode to a typed error, never a throw`, () => {
      const next = rng(prefix * 7919)
      for (let i = 0; i < 10_000; i++) {
        const result = decode(randomBuffer(next, prefix))
        if (Either.isLeft(result)) expect(KNOWN_TAGS.has(result.left._tag)).toBe(true)
      }
    })
  }
})

const aggregate = new BLS48581AggregateSignature({ signature: filled(1, 74), publicKey: filled(2, 585), bitmask: filled(3, 4) })
const header = new GlobalFrameHeader({
  frameNumber: 5n,
  rank: 6n,
  timestamp: 7n,
  difficulty: 8,
  output: filled(9, 516),
  parentSelector: filled(10, 32),
  globalCommitments: Array.from({ length: 256 }, () => filled(11, 64)),
  proverTreeCommitment: filled(12, 64),
  requestsRoot: filled(13, 64),
  prover: filled(14, 32),
  publicKeySignatureBls48581: aggregate,
})
const qc = new QuorumCertificate({
  filter: new Uint8Array(),
  rank: 5n,
  frameNumber: 4n,
  selector: filled(15, 32),
  timestamp: 1n,
  aggregateSignature: aggregate,
})
const vote = new ProposalVote({
  filter: new Uint8Array(),
  rank: 6n,
  frameNumber: 5n,
  selector: filled(16, 32),
  timestamp: 2n,
  publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature: filled(17, 74), address: filled(18, 32) }),
})

const valid: ReadonlyArray<readonly [string, Uint8Array, (b: Uint8Array) => Either.Either<unknown, { readonly _tag: string }>]> = [
  ["GlobalFrameHeader", encodeGlobalFrameHeader(header), decodeGlobalFrameHeader],
  ["QuorumCertificate", encodeQuorumCertificate(qc), decodeQuorumCertificate],
  ["ProposalVote", encodeProposalVote(vote), decodeProposalVote],
  [
    "TimeoutCertificate",
    encodeTimeoutCertificate(new TimeoutCertificate({ filter: new Uint8Array(), rank: 7n, latestRanks: [5n], latestQuorumCertificate: qc, timestamp: 3n })),
    decodeTimeoutCertificate,
  ],
  [
    "GlobalProposal",
    encodeGlobalProposal(new GlobalProposal({ state: new GlobalFrame({ header, requests: [] }), parentQuorumCertificate: qc, vote })),
    decodeGlobalProposal,
  ],
]

describe("decoders on mutated valid encodings", () => {
  for (const [name, bytes, decode] of valid) {
    test(`${name}: valid bytes decode; every truncation, 1,000 bit flips and trailing junk never throw`, () => {
      expect(Either.isRight(decode(bytes))).toBe(true)
      for (let cut = 0; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 200))) {
        expect(Either.isLeft(decode(bytes.subarray(0, cut)))).toBe(true)
      }
      const extended = new Uint8Array(bytes.length + 1)
      extended.set(bytes)
      expect(Either.match(decode(extended), { onLeft: (e) => e._tag, onRight: () => "ok" })).toBe("CanonicalTrailingBytes")
      const next = rng(bytes.length)
      for (let i = 0; i < 1_000; i++) {
        const mutated = bytes.slice()
        const at = next() % mutated.length
        mutated[at] = (mutated[at] ?? 0) ^ (1 << (next() % 8))
        const result = decode(mutated)
        if (Either.isLeft(result)) expect(KNOWN_TAGS.has(result.left._tag)).toBe(true)
      }
    })
  }

  test("a huge length prefix is refused by its limit, not allocated", () => {
    const bytes = encodeGlobalFrame(new GlobalFrame({ header, requests: [] }))
    new DataView(bytes.buffer).setUint32(4, 0xffff_fff0, false)
    expect(Either.match(decodeGlobalFrame(bytes), { onLeft: (e) => e._tag, onRight: () => "ok" })).toBe("CanonicalLengthOverLimit")
  })
})
