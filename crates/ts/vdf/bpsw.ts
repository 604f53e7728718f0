// Baillie–PSW probable-prime test in BigInt: what GMP >= 6.2 runs inside mpz_probab_prime_p(n, 1)
// (crypto.md §2.2). Used by the TS reference for the discriminant search and the hash primes.

const SMALL_PRIMES: ReadonlyArray<bigint> = (() => {
  const out: Array<bigint> = []
  for (let i = 2; i < 1000; i++) {
    let prime = true
    for (let j = 2; j * j <= i; j++)
      if (i % j === 0) {
        prime = false
        break
      }
    if (prime) out.push(BigInt(i))
  }
  return out
})()

/** base^exp mod m; 4-bit fixed windows for large exponents (the 2048-bit Miller–Rabin step). */
export const modPow = (base: bigint, exp: bigint, mod: bigint): bigint => {
  const b = ((base % mod) + mod) % mod
  if (exp < 1n << 64n) {
    let result = 1n
    let x = b
    for (let e = exp; e > 0n; e >>= 1n) {
      if (e & 1n) result = (result * x) % mod
      x = (x * x) % mod
    }
    return result
  }
  const table: Array<bigint> = [1n, b]
  for (let i = 2; i < 16; i++) table.push((table[i - 1]! * b) % mod)
  const hex = exp.toString(16)
  let result = table[parseInt(hex[0]!, 16)]!
  for (let i = 1; i < hex.length; i++) {
    for (let k = 0; k < 4; k++) result = (result * result) % mod
    const digit = parseInt(hex[i]!, 16)
    if (digit !== 0) result = (result * table[digit]!) % mod
  }
  return result
}

/** Jacobi symbol (a/n) for odd n > 0. */
const jacobi = (a0: bigint, n0: bigint): number => {
  let a = ((a0 % n0) + n0) % n0
  let n = n0
  let t = 1
  while (a !== 0n) {
    while ((a & 1n) === 0n) {
      a >>= 1n
      const r = n & 7n
      if (r === 3n || r === 5n) t = -t
    }
    ;[a, n] = [n, a]
    if ((a & 3n) === 3n && (n & 3n) === 3n) t = -t
    a %= n
  }
  return n === 1n ? t : 0
}

export const isqrt = (n: bigint): bigint => {
  if (n < 2n) return n
  let x = 1n << BigInt((n.toString(2).length + 1) >> 1)
  for (;;) {
    const y = (x + n / x) >> 1n
    if (y >= x) return x
    x = y
  }
}

const strongFermatBase2 = (n: bigint): boolean => {
  let d = n - 1n
  let s = 0
  while ((d & 1n) === 0n) {
    d >>= 1n
    s++
  }
  let x = modPow(2n, d, n)
  if (x === 1n || x === n - 1n) return true
  for (let i = 1; i < s; i++) {
    x = (x * x) % n
    if (x === n - 1n) return true
  }
  return false
}

const half = (x: bigint, n: bigint): bigint => ((x & 1n) === 1n ? (x + n) >> 1n : x >> 1n)

/** Strong Lucas test with Selfridge's parameters (P = 1, Q = (1 − D)/4). */
const strongLucas = (n: bigint): boolean => {
  const root = isqrt(n)
  if (root * root === n) return false
  let D = 5n
  for (;;) {
    const j = jacobi(D, n)
    if (j === -1) break
    if (j === 0 && (D < 0n ? -D : D) !== n) return false
    D = D > 0n ? -(D + 2n) : -D + 2n
  }
  const Q = (1n - D) / 4n
  let d = n + 1n
  let s = 0
  while ((d & 1n) === 0n) {
    d >>= 1n
    s++
  }
  // Left-to-right binary Lucas chain for U_d, V_d, Q^d (P = 1).
  let U = 1n
  let V = 1n
  let Qk = ((Q % n) + n) % n
  const Dm = ((D % n) + n) % n
  const bits = d.toString(2)
  for (let i = 1; i < bits.length; i++) {
    U = (U * V) % n
    V = (((V * V - 2n * Qk) % n) + n) % n
    Qk = (Qk * Qk) % n
    if (bits[i] === "1") {
      const U1 = half(U + V, n)
      V = half((Dm * U + V) % n, n)
      U = U1
      Qk = (Qk * Q) % n
      Qk = (Qk + n) % n
    }
  }
  if (U % n === 0n || V % n === 0n) return true
  for (let r = 1; r < s; r++) {
    V = (((V * V - 2n * Qk) % n) + n) % n
    Qk = (Qk * Qk) % n
    if (V === 0n) return true
  }
  return false
}

/** Probable prime (BPSW); agrees with GMP's mpz_probab_prime_p(n, 1) != 0 for n > 0. */
export const isProbablePrime = (n: bigint): boolean => {
  if (n < 2n) return false
  for (const p of SMALL_PRIMES) {
    if (n === p) return true
    if (n % p === 0n) return false
  }
  return strongFermatBase2(n) && strongLucas(n)
}
