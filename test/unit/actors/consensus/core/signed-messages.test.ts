import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import {
  globalProverSignatureMessage,
  livenessDomain,
  makeTimeoutMessage,
  makeVoteMessage,
  PROOF_OF_POSSESSION_DOMAIN,
  timeoutDomain,
  voteDomain,
} from "../../../../../actors/consensus/core/signed-messages.ts"
import { filled, hex, rep, u64 } from "./support/hex.ts"

const ascii = (s: string) => bytesToHex(new TextEncoder().encode(s))

describe("signed message formats (§3.13)", () => {
  const selector = filled(0x5a, 32)
  const app = filled(0x01, 32)

  test('global vote: selector ‖ u64_be(rank), domain "global"', () => {
    expect(bytesToHex(makeVoteMessage(new Uint8Array(), 258n, selector))).toBe(hex(rep("5a", 32), "0000000000000102"))
    expect(bytesToHex(voteDomain(new Uint8Array()))).toBe(ascii("global"))
  })

  test('app vote: filter ‖ selector ‖ u64_be(rank), domain "appshard" ‖ address', () => {
    expect(bytesToHex(makeVoteMessage(app, 1n, selector))).toBe(hex(rep("01", 32), rep("5a", 32), u64(1n)))
    expect(bytesToHex(voteDomain(app))).toBe(ascii("appshard") + rep("01", 32))
  })

  test("timeouts: filter ‖ u64_be(rank) ‖ u64_be(newestQCRank)", () => {
    expect(bytesToHex(makeTimeoutMessage(new Uint8Array(), 9n, 7n))).toBe(u64(9n) + u64(7n))
    expect(bytesToHex(makeTimeoutMessage(app, 9n, 7n))).toBe(rep("01", 32) + u64(9n) + u64(7n))
    expect(bytesToHex(timeoutDomain(new Uint8Array()))).toBe(ascii("globaltimeout"))
    expect(bytesToHex(timeoutDomain(app))).toBe(ascii("appshardtimeout") + rep("01", 32))
  })

  test("VDF-time signature, liveness and PoP domains", () => {
    expect(bytesToHex(globalProverSignatureMessage(filled(1, 32), filled(2, 516)))).toBe(rep("01", 32) + rep("02", 516))
    expect(bytesToHex(livenessDomain(app))).toBe(ascii("PROVER_LIVENESS") + rep("01", 32))
    expect(bytesToHex(PROOF_OF_POSSESSION_DOMAIN)).toBe(ascii("BLS48_POP_SK"))
  })
})
