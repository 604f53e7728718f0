import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { appFrameId, appFrameIdText, globalFrameId, globalFrameIdText } from "../../../../../actors/consensus/core/frame-id.ts"
import { AppFrameHeader } from "../../../../../actors/consensus/core/messages/app-frame-header.ts"
import { GlobalFrameHeader } from "../../../../../actors/consensus/core/messages/global-frame-header.ts"
import { filled, rep } from "./support/hex.ts"
import { testPoseidonHashBytes as poseidon } from "./support/poseidon.ts"

describe("time-reel frame ids (§2.2)", () => {
  const global = new GlobalFrameHeader({
    frameNumber: 12n,
    rank: 99n,
    timestamp: -3n,
    difficulty: 1,
    output: filled(0xab, 2),
    parentSelector: filled(0x0c, 1),
    globalCommitments: [],
    proverTreeCommitment: new Uint8Array(),
    requestsRoot: new Uint8Array(),
    prover: new Uint8Array(),
  })
  test('global: "%d:%d:%x:%x" of frame, timestamp, output, parent selector; rank is not part of it', () => {
    expect(globalFrameIdText(global)).toBe("12:-3:abab:0c")
    expect(globalFrameId(poseidon, global)).toBe(bytesToHex(poseidon(new TextEncoder().encode("12:-3:abab:0c"))))
    expect(globalFrameId(poseidon, new GlobalFrameHeader({ ...global, rank: 1n }))).toBe(globalFrameId(poseidon, global))
  })
  test('app: "%x:%d:%d:%x:%x" with the address first', () => {
    const app = new AppFrameHeader({
      address: filled(0x01, 32),
      frameNumber: 5n,
      rank: 2n,
      timestamp: 7n,
      difficulty: 1,
      output: filled(0xff, 1),
      parentSelector: new Uint8Array(),
      requestsRoot: new Uint8Array(),
      stateRoots: [],
      prover: new Uint8Array(),
      feeMultiplierVote: 0n,
    })
    expect(appFrameIdText(app)).toBe(`${rep("01", 32)}:5:7:ff:`)
    expect(appFrameId(poseidon, app)).toHaveLength(64)
  })
})
