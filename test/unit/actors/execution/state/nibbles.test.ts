// 6-bit MSB-first nibbles across byte boundaries, zero-padded past the end, −1 beyond the key.
import { describe, expect, test } from "bun:test"
import { fullPath, nextNibble } from "../../../../../actors/execution/state/nibbles.ts"

describe("nibbles", () => {
  test("one-byte keys: order << 2 puts field k at nibble k; 0xff×32 starts with 63", () => {
    for (let k = 0; k < 64; k++) expect(nextNibble(new Uint8Array([k << 2]), 0)).toBe(k)
    expect(fullPath(new Uint8Array(32).fill(0xff))[0]).toBe(63)
  })

  test("bits cross bytes and the tail is zero-padded", () => {
    // 0b101010_11 0b1100_0011: nibbles 101010, 111100, 0011(00).
    const key = new Uint8Array([0b10101011, 0b11000011])
    expect(fullPath(key)).toEqual([0b101010, 0b111100, 0b001100])
    expect(nextNibble(key, 18)).toBe(-1)
    expect(nextNibble(new Uint8Array([0x40]), 0)).toBe(16)
  })

  test("path lengths: 32 bytes → 43 nibbles, 64 bytes → 86", () => {
    expect(fullPath(new Uint8Array(32)).length).toBe(43)
    expect(fullPath(new Uint8Array(64)).length).toBe(86)
    expect(fullPath(new Uint8Array(0))).toEqual([])
  })
})
