import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { sha3_256 } from "@noble/hashes/sha3.js"
import {
  appChallenge,
  appChallengePreimage,
  appGenesisChallenge,
  appGenesisChallengePreimage,
  globalChallenge,
  globalChallengePreimage,
} from "../../../../../actors/consensus/core/vdf-challenge.ts"
import { filled, hex, rep, u32, u64 } from "./support/hex.ts"

describe("VDF challenge preimages (§1.3)", () => {
  test("global: u64 frame ‖ u64 timestamp ‖ u32 difficulty ‖ parent ‖ 256 commitments ‖ prover root ‖ requests root (no rank, no prover)", () => {
    const fields = {
      frameNumber: 244_201n,
      timestamp: 1_762_862_410_000n,
      difficulty: 80_076,
      parentSelector: filled(0x22, 32),
      globalCommitments: Array.from({ length: 256 }, (_, i) => filled(i, 64)),
      proverTreeCommitment: filled(0x33, 74),
      requestsRoot: filled(0x44, 64),
    }
    const expected = hex(
      u64(244_201n),
      u64(1_762_862_410_000n),
      u32(80_076),
      rep("22", 32),
      ...Array.from({ length: 256 }, (_, i) => rep(i.toString(16).padStart(2, "0"), 64)),
      rep("33", 74),
      rep("44", 64),
    )
    expect(bytesToHex(globalChallengePreimage(fields))).toBe(expected)
    expect(bytesToHex(globalChallenge(fields))).toBe(bytesToHex(sha3_256(hexToBytes(expected))))
  })

  test("app: address ‖ u64 frame ‖ u64 timestamp ‖ u32 difficulty ‖ u64 fee ‖ parent ‖ requests root ‖ 4 state roots ‖ prover", () => {
    const fields = {
      address: filled(0x01, 32),
      frameNumber: 9n,
      timestamp: 1_700_000_000_000n,
      difficulty: 50_000,
      feeMultiplierVote: 100n,
      parentSelector: filled(0x03, 32),
      requestsRoot: filled(0x04, 74),
      stateRoots: [filled(0x05, 64), filled(0x06, 74), filled(0x07, 64), filled(0x08, 74)],
      prover: filled(0x09, 32),
    }
    const expected = hex(
      rep("01", 32),
      u64(9n),
      u64(1_700_000_000_000n),
      u32(50_000),
      u64(100n),
      rep("03", 32),
      rep("04", 74),
      rep("05", 64),
      rep("06", 74),
      rep("07", 64),
      rep("08", 74),
      rep("09", 32),
    )
    expect(bytesToHex(appChallengePreimage(fields))).toBe(expected)
    expect(bytesToHex(appChallenge(fields))).toBe(bytesToHex(sha3_256(hexToBytes(expected))))
  })

  test("app genesis: 516 zero input ‖ address ‖ u64 0 ‖ u64 0 ‖ u32 difficulty ‖ u64 100 ‖ 32 zero bytes", () => {
    const address = filled(0x01, 32)
    const expected = hex(rep("00", 516), rep("01", 32), u64(0n), u64(0n), u32(1_000), u64(100n), rep("00", 32))
    expect(bytesToHex(appGenesisChallengePreimage(address, 1_000))).toBe(expected)
    expect(bytesToHex(appGenesisChallenge(address, 1_000))).toBe(bytesToHex(sha3_256(hexToBytes(expected))))
  })
})
