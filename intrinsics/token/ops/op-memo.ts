// What accessSet, validate and apply all need of one operation and is costly to derive: each output's
// record address (Poseidon over a KZG commitment, a native commit per output) and each input's spent
// marker id (a Poseidon hash per key). Computed once per decoded operation and kept here, keyed by the
// decoded value (the host decodes a request once and calls all three on it).
import type { CryptoServices } from "../../contract/index.ts"

/** `compute`, memoised per operation object and crypto services (another crypto object recomputes). */
export const memoPerOperation = <Op extends object, A>(compute: (op: Op, crypto: CryptoServices) => A) => {
  const memo = new WeakMap<Op, { readonly crypto: CryptoServices; readonly value: A }>()
  return (op: Op, crypto: CryptoServices): A => {
    const hit = memo.get(op)
    if (hit !== undefined && hit.crypto === crypto) return hit.value
    const value = compute(op, crypto)
    memo.set(op, { crypto, value })
    return value
  }
}
