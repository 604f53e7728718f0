// iden3 Poseidon `HashBytes` (go-iden3-crypto v0.0.17; crypto.md §4) over BN254: the input in
// 31-byte big-endian chunks (last one right-padded with zeros), 16 field elements per permutation
// (poseidon-lite's circomlib-compatible poseidon16), the previous hash chained into slot 0.
// Uses: prover addresses, frame selectors (poseidon(output)), leader selection.
import { poseidon16 } from "poseidon-lite/poseidon16"

const CHUNK = 31
const FRAME = 16

const chunkValue = (bytes: Uint8Array): bigint => {
  let x = 0n
  for (const b of bytes) x = (x << 8n) | BigInt(b)
  return x
}

/** HashBytes as a field element. Empty input has no hash in the reference (Go returns nil). */
export const poseidonHashBytesBigInt = (msg: Uint8Array): bigint => {
  if (msg.length === 0) throw new RangeError("poseidon HashBytes of an empty input is undefined in the reference")
  let inputs: Array<bigint> = new Array<bigint>(FRAME).fill(0n)
  let hash: bigint | undefined
  let dirty = false
  let k = 0
  const full = Math.floor(msg.length / CHUNK)
  for (let i = 0; i < full; i++) {
    dirty = true
    inputs[k] = chunkValue(msg.subarray(CHUNK * i, CHUNK * (i + 1)))
    if (k === FRAME - 1) {
      hash = poseidon16(inputs)
      dirty = false
      inputs = new Array<bigint>(FRAME).fill(0n)
      inputs[0] = hash
      k = 1
    } else {
      k++
    }
  }
  if (msg.length % CHUNK !== 0) {
    const last = new Uint8Array(CHUNK)
    last.set(msg.subarray(full * CHUNK))
    inputs[k] = chunkValue(last)
    dirty = true
  }
  if (dirty) hash = poseidon16(inputs)
  if (hash === undefined) throw new Error("unreachable: a non-empty input is always hashed")
  return hash
}

/** HashBytes as 32 big-endian bytes (the form frames and addresses carry). */
export const poseidonHashBytes = (msg: Uint8Array): Uint8Array => {
  let x = poseidonHashBytesBigInt(msg)
  const out = new Uint8Array(32)
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return out
}
