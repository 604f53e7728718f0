// Each output's record address is Poseidon over a KZG commitment (a native commit per output), and
// accessSet, validate and apply all need it: computed once per decoded operation and kept here, keyed
// by the decoded value (the host decodes a request once and calls all three on it).
import type * as Either from "effect/Either"
import type { CryptoServices, OpError } from "../../contract/index.ts"

type Addresses = ReadonlyArray<Either.Either<Uint8Array, OpError>>

/** `compute`, memoised per operation object and crypto services (another crypto object recomputes). */
export const memoOutputAddresses = <Op extends object>(compute: (op: Op, crypto: CryptoServices) => Addresses) => {
  const memo = new WeakMap<Op, { readonly crypto: CryptoServices; readonly addresses: Addresses }>()
  return (op: Op, crypto: CryptoServices): Addresses => {
    const hit = memo.get(op)
    if (hit !== undefined && hit.crypto === crypto) return hit.addresses
    const addresses = compute(op, crypto)
    memo.set(op, { crypto, addresses })
    return addresses
  }
}
