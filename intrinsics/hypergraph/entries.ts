// The stored form of hypergraph records in quilbun: a canonical entry list `u32 count ‖ (u32 len ‖
// key ‖ u32 len ‖ value)*` with keys strictly ascending. It carries exactly what the reference's
// vector-commitment trie holds per leaf (key → value) in one byte form, so a later VCT encoding
// (spec §3.4) can be derived from it; see DECISIONS.md. Decoding is total (Either, never a throw).
import * as Either from "effect/Either"
import { CanonicalReader, CanonicalWriter, malformed, type OpError } from "../contract/index.ts"
import { MAX_ENTRIES, MAX_ENTRY_KEY_BYTES } from "./constants.ts"

export interface Entry {
  readonly key: Uint8Array
  readonly value: Uint8Array
}

export type Entries = ReadonlyArray<Entry>

export const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return a.length - b.length
}

/** Why a list of entries is not canonical, or undefined when it is. */
export const entriesProblem = (entries: Entries): string | undefined => {
  if (entries.length > MAX_ENTRIES) return `${entries.length} entries exceed ${MAX_ENTRIES}`
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]
    if (e === undefined) return "missing entry"
    if (e.key.length === 0 || e.key.length > MAX_ENTRY_KEY_BYTES) return `entry ${i}: a key has 1 to ${MAX_ENTRY_KEY_BYTES} bytes`
    const prev = entries[i - 1]
    if (prev !== undefined && compareBytes(prev.key, e.key) >= 0) return `entry ${i}: keys must be strictly ascending`
  }
  return undefined
}

/** Sorts by key (the canonical order); duplicates are left for entriesProblem to refuse. */
export const sortEntries = (entries: Entries): Array<Entry> => [...entries].sort((a, b) => compareBytes(a.key, b.key))

export const writeEntries = (w: CanonicalWriter, entries: Entries): CanonicalWriter => {
  w.u32(entries.length)
  for (const e of entries) w.bytes(e.key).bytes(e.value)
  return w
}

export const readEntries = (r: CanonicalReader, opType: number | undefined, field: string): Either.Either<Array<Entry>, OpError> =>
  Either.flatMap(
    r.list(field, (reader) => Either.all({ key: reader.bytes(`${field} key`, MAX_ENTRY_KEY_BYTES), value: reader.bytes(`${field} value`) }), MAX_ENTRIES),
    (entries) => {
      const problem = entriesProblem(entries)
      return problem === undefined ? Either.right(entries) : Either.left(malformed(opType, `${field}: ${problem}`))
    },
  )

export const encodeEntries = (entries: Entries): Uint8Array => writeEntries(new CanonicalWriter(), entries).finish()

/** A stored record; a Left means the stored bytes are not a record (corrupt or foreign state). */
export const decodeEntries = (bytes: Uint8Array): Either.Either<Array<Entry>, OpError> => {
  const r = new CanonicalReader(bytes)
  return Either.flatMap(readEntries(r, undefined, "record"), (entries) => Either.map(r.end(), () => entries))
}

export const entryValue = (entries: Entries, key: Uint8Array): Uint8Array | undefined => entries.find((e) => compareBytes(e.key, key) === 0)?.value

/** Total payload bytes (keys and values), the size basis of a plaintext vertex. */
export const payloadBytes = (entries: Entries): number => entries.reduce((n, e) => n + e.key.length + e.value.length, 0)
