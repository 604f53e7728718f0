// Ids of hypergraph atoms (spec §0 idea 1): 64 bytes, `domain(32) ‖ dataAddress(32)`. Plain
// Uint8Arrays with checks at the edges, so intrinsics can build ids without a wrapper type.

export const DOMAIN_LENGTH = 32
export const ID_LENGTH = 64

/** `0xff×32`: the global intrinsic's domain, never deployed (spec §1.8). */
export const GLOBAL_INTRINSIC_ADDRESS: Uint8Array = new Uint8Array(DOMAIN_LENGTH).fill(0xff)

/** `0xff×32`: the data address of an instance's metadata vertex, `domain ‖ 0xff×32` (spec §1.8). */
export const METADATA_ADDRESS: Uint8Array = new Uint8Array(DOMAIN_LENGTH).fill(0xff)

/** `domain ‖ address`; both must be 32 bytes (a RangeError is a programming error, not input). */
export const atomId = (domain: Uint8Array, address: Uint8Array): Uint8Array => {
  if (domain.length !== DOMAIN_LENGTH || address.length !== DOMAIN_LENGTH) {
    throw new RangeError(`an atom id is domain(32) ‖ address(32); got ${domain.length} + ${address.length} bytes`)
  }
  const id = new Uint8Array(ID_LENGTH)
  id.set(domain, 0)
  id.set(address, DOMAIN_LENGTH)
  return id
}

export const domainOf = (id: Uint8Array): Uint8Array => id.slice(0, DOMAIN_LENGTH)

export const isAtomId = (bytes: Uint8Array): boolean => bytes.length === ID_LENGTH

export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
