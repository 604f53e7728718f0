// Committees by committed global frame (D-REG-8): for every filter, the active set (sorted by address,
// the bitmask order) after each committed global frame that changed it. Every node applies the same
// committed frames in the same order (D-REG-7), so every node holds the same history, and the history is
// persisted with the records it follows, so a restart answers exactly as before it.
import { bytesToHex } from "@noble/hashes/utils.js"
import { isActiveFor, type ProverRecord } from "./prover-record.ts"

interface CommitteeEntry {
  /** The committed global frame after whose requests (and eviction) this set is the active one. */
  readonly fromFrame: bigint
  readonly addresses: ReadonlyArray<Uint8Array>
}

/** By hex(filter), entries in ascending `fromFrame`. */
export type CommitteeHistory = Map<string, ReadonlyArray<CommitteeEntry>>

const sameAddresses = (a: ReadonlyArray<Uint8Array>, b: ReadonlyArray<Uint8Array>): boolean =>
  a.length === b.length && a.every((x, i) => bytesToHex(x) === bytesToHex(b[i] ?? new Uint8Array()))

/** The addresses whose record has an Active allocation on `filter`, sorted (the committee order, §3.11). */
const activeAddresses = (records: Iterable<ProverRecord>, filter: Uint8Array): ReadonlyArray<Uint8Array> =>
  [...records]
    .filter((r) => isActiveFor(r, filter))
    .map((r) => r.address)
    .sort((a, b) => Buffer.compare(a, b))

/** Every filter (hex) any of these records holds an allocation on. */
export const filtersOf = (records: Iterable<ProverRecord>): ReadonlySet<string> => {
  const out = new Set<string>()
  for (const r of records) for (const a of r.allocations) out.add(bytesToHex(a.filter))
  return out
}

/**
 * Appends, for each of `filters` whose active set over `records` differs from its newest entry, the set
 * from frame `frame`. Returns the filters that got an entry. Mutates `history`.
 */
export const recordCommittees = (
  history: CommitteeHistory,
  records: Iterable<ProverRecord>,
  filters: Iterable<string>,
  frame: bigint,
): ReadonlyArray<string> => {
  const all = [...records]
  const touched: Array<string> = []
  for (const filterHex of filters) {
    const entries = history.get(filterHex) ?? []
    const now = activeAddresses(all, Buffer.from(filterHex, "hex"))
    const newest = entries[entries.length - 1]
    if (newest !== undefined && sameAddresses(newest.addresses, now)) continue
    if (newest === undefined && now.length === 0) continue
    // One entry per frame: a second change at the same frame replaces the first.
    const kept = newest !== undefined && newest.fromFrame === frame ? entries.slice(0, -1) : entries
    history.set(filterHex, [...kept, { fromFrame: frame, addresses: now }])
    touched.push(filterHex)
  }
  return touched
}

/** The active set of `filter` as of committed global frame `frame`: the newest entry from at or below it (none: empty). */
export const committeeAt = (history: CommitteeHistory, filter: Uint8Array, frame: bigint): ReadonlyArray<Uint8Array> => {
  const entries = history.get(bytesToHex(filter)) ?? []
  let found: ReadonlyArray<Uint8Array> = []
  for (const e of entries) {
    if (e.fromFrame > frame) break
    found = e.addresses
  }
  return found
}
