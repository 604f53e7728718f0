import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { defaultCrypto } from "@chainsafe/libp2p-noise/crypto"
import { bunNoiseCrypto } from "../../../../runtime/network/noise-crypto.ts"

// RFC 8439 §2.8.2 AEAD_CHACHA20_POLY1305 test vector
const key = hexToBytes("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
const nonce = hexToBytes("070000004041424344454647")
const aad = hexToBytes("50515253c0c1c2c3c4c5c6c7")
const plaintext = new TextEncoder().encode("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.")

describe("bunNoiseCrypto", () => {
  test("matches the RFC 8439 AEAD vector", () => {
    const sealed = bunNoiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, aad, key).subarray()
    expect(sealed.length).toBe(plaintext.length + 16)
    expect(bytesToHex(sealed.subarray(0, 16))).toBe("d31a8d34648e60db7b86afbc53ef7ec2")
    expect(bytesToHex(sealed.subarray(sealed.length - 16))).toBe("1ae10b594f09e26a7e902ecbd0600691")
    const opened = bunNoiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, aad, key).subarray()
    expect(bytesToHex(opened)).toBe(bytesToHex(plaintext))
  })

  test("handles frames of 1200 bytes and more (where defaultCrypto needs node:crypto)", () => {
    for (const size of [1199, 1200, 4096, 65519]) {
      const data = new Uint8Array(size).map((_, i) => i & 0xff)
      const sealed = bunNoiseCrypto.chaCha20Poly1305Encrypt(data, nonce, aad, key).subarray()
      expect(bunNoiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, aad, key).subarray()).toEqual(data)
    }
  })

  test("rejects a tampered frame", () => {
    const sealed = bunNoiseCrypto.chaCha20Poly1305Encrypt(new Uint8Array(2000), nonce, aad, key).subarray().slice()
    sealed[10] = (sealed[10] ?? 0) ^ 1
    expect(() => bunNoiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, aad, key)).toThrow()
  })

  test("keeps the rest of defaultCrypto", () => {
    expect(bunNoiseCrypto.hashSHA256).toBe(defaultCrypto.hashSHA256)
    expect(bunNoiseCrypto.generateX25519KeyPair).toBe(defaultCrypto.generateX25519KeyPair)
    expect(bunNoiseCrypto.getHKDF).toBe(defaultCrypto.getHKDF)
  })

  // Documents why the override exists; if Bun gains the cipher this fails and the override can go.
  test("Bun's node:crypto still lacks chacha20-poly1305", () => {
    const big = new Uint8Array(2048)
    expect(() => defaultCrypto.chaCha20Poly1305Encrypt(big, nonce, aad, key)).toThrow()
  })
})
