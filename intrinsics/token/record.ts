// A token record (coin, pending, spent marker; spec §2.4): RDF-ordered leaves, key `order << 2` and the
// type marker at `0xff×32` (spec §0 idea 2). Stored as the canonical entry list the hypergraph keeps
// (its DECISIONS #6: `u32 count ‖ (u32 len ‖ key ‖ u32 len ‖ value)*`, keys strictly ascending), and
// committed as the reference's vector-commitment trie (spec §3.4): records of ≤ 64 one-byte-keyed
// fields are one level deep, so the root is one branch whose slot i is `SHA-512(0x00 ‖ key ‖ value)`
// of the leaf in child i, committed with KZG `CommitRaw` over 64 slots. Decoding is total.
import * as Either from "effect/Either"
import { CanonicalReader, CanonicalWriter, type CryptoServices, malformed, OpError } from "../contract/index.ts"

export interface Leaf {
  readonly key: Uint8Array
  readonly value: Uint8Array
}

/** `0xff×32`: the type marker's key (root child 63). */
export const TYPE_KEY: Uint8Array = new Uint8Array(32).fill(0xff)

/** The one-byte key of RDF field `order` (< 63). */
export const fieldKey = (order: number): Uint8Array => Uint8Array.of(order << 2)

const POLY_SIZE = 64
const SLOT_BYTES = 64
/** The largest record (a non-divisible expirable pending has 15 leaves); bounds decoding work. */
const MAX_LEAVES = 64

/** The root child a key lands in: its first 6-bit nibble. */
const childIndex = (key: Uint8Array): number => (key[0] ?? 0) >> 2

const compare = (a: Uint8Array, b: Uint8Array): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return a.length - b.length
}

export const encodeRecord = (leaves: ReadonlyArray<Leaf>): Uint8Array => {
  const sorted = [...leaves].sort((a, b) => compare(a.key, b.key))
  const w = new CanonicalWriter().u32(sorted.length)
  for (const l of sorted) w.bytes(l.key).bytes(l.value)
  return w.finish()
}

/** The leaves of stored bytes; a Left for anything that is not a canonical record. */
export const decodeRecord = (bytes: Uint8Array): Either.Either<Array<Leaf>, OpError> => {
  const r = new CanonicalReader(bytes)
  return Either.gen(function* () {
    const leaves = yield* r.list("record", (x) => Either.all({ key: x.bytes("key", 32), value: x.bytes("value", 1024) }), MAX_LEAVES)
    yield* r.end()
    for (let i = 1; i < leaves.length; i++) {
      const prev = leaves[i - 1]
      const cur = leaves[i]
      if (prev !== undefined && cur !== undefined && compare(prev.key, cur.key) >= 0)
        return yield* Either.left(malformed(undefined, "record keys are not strictly ascending"))
    }
    return leaves
  })
}

export const leafValue = (leaves: ReadonlyArray<Leaf>, key: Uint8Array): Uint8Array | undefined => leaves.find((l) => compare(l.key, key) === 0)?.value

/**
 * `tree.Commit()` of a one-level record (spec §3.4): KZG `CommitRaw` of the 64 slots. Two leaves in one
 * root child would need a deeper trie, which no token record has; it is refused rather than mis-committed.
 */
const recordCommitment = (leaves: ReadonlyArray<Leaf>, crypto: CryptoServices): Either.Either<Uint8Array, OpError> => {
  const kzgCommit = crypto.kzgCommit
  if (kzgCommit === undefined)
    return Either.left(new OpError({ kind: "invalid", opType: undefined, reason: "the host binds no KZG commitment; token record addresses need it" }))
  const slots = new Uint8Array(POLY_SIZE * SLOT_BYTES)
  const used = new Set<number>()
  for (const l of leaves) {
    const i = childIndex(l.key)
    if (used.has(i)) return Either.left(new OpError({ kind: "invalid", opType: undefined, reason: `two record keys share root child ${i}` }))
    used.add(i)
    const input = new Uint8Array(1 + l.key.length + l.value.length)
    input.set(l.key, 1)
    input.set(l.value, 1 + l.key.length)
    slots.set(crypto.sha512(input), i * SLOT_BYTES)
  }
  try {
    return Either.right(kzgCommit(slots, POLY_SIZE))
  } catch (e) {
    return Either.left(new OpError({ kind: "invalid", opType: undefined, reason: `KZG commitment failed: ${e instanceof Error ? e.message : String(e)}` }))
  }
}

/** A coin's or pending's data address: `poseidon(tree.Commit())` (spec §2.4). */
export const recordAddress = (leaves: ReadonlyArray<Leaf>, crypto: CryptoServices): Either.Either<Uint8Array, OpError> =>
  Either.map(recordCommitment(leaves, crypto), (c) => crypto.poseidon(c))
