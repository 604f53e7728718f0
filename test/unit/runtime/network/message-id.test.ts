import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { sha256 } from "@noble/hashes/sha2.js"
import { messageId } from "../../../../runtime/network/message-id.ts"

const data = new TextEncoder().encode("abc")
// FIPS 180-2 example: SHA-256("abc")
const SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

describe("messageId", () => {
  test("default form: the bare 32-byte SHA-256 of the data", () => {
    expect(bytesToHex(messageId(data))).toBe(SHA256_ABC)
    expect(messageId(data, "sha256").length).toBe(32)
  })

  test("prefixed form: 0x01 ‖ SHA-256", () => {
    const id = messageId(data, "prefixed-sha256")
    expect(id.length).toBe(33)
    expect(bytesToHex(id)).toBe(`01${SHA256_ABC}`)
  })

  test("agrees with an independent SHA-256 (@noble/hashes) on other inputs", () => {
    for (const size of [0, 1, 1024, 65536]) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 7) & 0xff)
      expect(bytesToHex(messageId(bytes))).toBe(bytesToHex(sha256(bytes)))
    }
  })
})
