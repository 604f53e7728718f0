// TS reference of create_discriminant(seed, bits) (crypto.md §2.2): SHA-256 byte stream, residue
// table mod M = 120120, a 65536-candidate sieve over primes 17…65521, then BPSW.
import { sha256 } from "@noble/hashes/sha2.js"
import { isProbablePrime, modPow } from "./bpsw.ts"

const M = 120120n
const SIEVE_SIZE = 65536

export const randomBytesFromSeed = (seed: Uint8Array, length: number): Uint8Array => {
  const out = new Uint8Array(length + 32)
  for (let counter = 0, off = 0; off < length; counter++, off += 32) {
    const input = new Uint8Array(seed.length + 2)
    input.set(seed)
    input[seed.length] = (counter >> 8) & 0xff
    input[seed.length + 1] = counter & 0xff
    out.set(sha256(input), off)
  }
  return out.subarray(0, length)
}

const RESIDUES: ReadonlyArray<number> = (() => {
  const out: Array<number> = []
  for (let x = 0; x < 120120; x++) if (x % 8 === 7 && [3, 5, 7, 11, 13].every((p) => x % p !== 0)) out.push(x)
  return out
})()

/** [p, M⁻¹ mod p] for odd primes 17 ≤ p < 65536. */
const SIEVE_PRIMES: ReadonlyArray<readonly [number, number]> = (() => {
  const composite = new Uint8Array(65536)
  const out: Array<readonly [number, number]> = []
  for (let i = 2; i < 65536; i++) {
    if (composite[i]) continue
    for (let j = i * i; j < 65536; j += i) composite[j] = 1
    if (i >= 17) out.push([i, Number(modPow(M % BigInt(i), BigInt(i - 2), BigInt(i)))])
  }
  return out
})()

const bytesToBigInt = (bytes: Uint8Array): bigint => {
  let x = 0n
  for (const b of bytes) x = (x << 8n) | BigInt(b)
  return x
}

/** D (negative) for `seed` and `bits`. */
export const createDiscriminant = (seed: Uint8Array, bits: number): bigint => {
  const length = Math.ceil(bits / 8) + 2
  const bytes = randomBytesFromSeed(seed, length)
  let n = bytesToBigInt(bytes.subarray(0, length - 2)) >> BigInt((8 - (bits % 8)) % 8)
  n |= 1n << BigInt(bits - 1)
  const index = ((bytes[length - 2]! << 8) | bytes[length - 1]!) % RESIDUES.length
  n += BigInt(RESIDUES[index]!) - (n % M)
  for (;;) {
    const sieve = new Uint8Array(SIEVE_SIZE)
    for (const [p, mInv] of SIEVE_PRIMES) {
      const negN = (p - Number(n % BigInt(p))) % p
      for (let i = Number((BigInt(negN) * BigInt(mInv)) % BigInt(p)); i < SIEVE_SIZE; i += p) sieve[i] = 1
    }
    for (let i = 0; i < SIEVE_SIZE; i++) {
      if (sieve[i]) continue
      const candidate = n + M * BigInt(i)
      if (isProbablePrime(candidate)) return -candidate
    }
    n += M * BigInt(SIEVE_SIZE)
  }
}
