// The token's Poseidon constants against the spec's vectors (execution.md §9.2 authoritative, §9.3
// derived): the QUIL address, the token base domain, and QUIL's coin and pending type markers.
import { describe, expect, test } from "bun:test"
import { bytesToHex } from "@noble/hashes/utils.js"
import { poseidonHashBytes } from "../../../../crates/ts/poseidon.ts"
import { QUIL_TOKEN_ADDRESS, TOKEN_BASE_DOMAIN } from "../../../../intrinsics/token/constants.ts"
import { COIN_CLASS, PENDING_CLASS, typeMarker } from "../../../../intrinsics/token/markers.ts"
import { REWARD_CLASS } from "../../../../intrinsics/token/reward.ts"

const ascii = (s: string) => new TextEncoder().encode(s)

describe("token vectors", () => {
  test("§9.2: poseidon(\"q_mainnet_token\") is QUIL's address; QUIL's coin and the global reward type markers", () => {
    expect(bytesToHex(poseidonHashBytes(ascii("q_mainnet_token")))).toBe("11558584af7017a9bfd1ff1864302d643fbe58c62dcf90cbcd8fde74a26794d9")
    expect(bytesToHex(QUIL_TOKEN_ADDRESS)).toBe(bytesToHex(poseidonHashBytes(ascii("q_mainnet_token"))))
    expect(bytesToHex(typeMarker(poseidonHashBytes, QUIL_TOKEN_ADDRESS, COIN_CLASS))).toBe("096de9a09f693f92cfa9cf3349bab2b3baee09f3e4f9c596514ecb3e8b0dff8f")
    // The reward record's class lives in the global domain 0xff×32.
    expect(bytesToHex(typeMarker(poseidonHashBytes, new Uint8Array(32).fill(0xff), REWARD_CLASS))).toBe(
      "04b10a01844411bb0c390f4cd2629b48cc7ef561455c3adac5ebcbad3834bfa4",
    )
  })
  test("§9.3 (derived): TOKEN_BASE_DOMAIN and QUIL's pending type marker", () => {
    expect(bytesToHex(TOKEN_BASE_DOMAIN)).toBe(bytesToHex(poseidonHashBytes(ascii("q_token"))))
    expect(bytesToHex(TOKEN_BASE_DOMAIN)).toBe("0b8da537ba8077012309c65332d2bb4b6cc68e6e6160bd0aa198e87fa81c65d5")
    expect(bytesToHex(typeMarker(poseidonHashBytes, QUIL_TOKEN_ADDRESS, PENDING_CLASS))).toBe(
      "269aa3b0e68586712a6691eab9b80477a1c8816b7c7ef2b562b261d216eacadd",
    )
  })
})
