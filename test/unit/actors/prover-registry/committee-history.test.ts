// The pure committee history (D-REG-8): an entry only where a filter's active set changed, one entry per
// frame, and the answer for a frame is the newest entry at or below it.
import { describe, expect, test } from "bun:test"
import { bytesToHex } from "@noble/hashes/utils.js"
import { type CommitteeHistory, committeeAt, filtersOf, recordCommittees } from "../../../../actors/prover-registry/committee-history.ts"
import type { ProverRecord } from "../../../../actors/prover-registry/prover-record.ts"

const SHARD = new Uint8Array(32).fill(0x33)
const shardHex = bytesToHex(SHARD)

const record = (id: number, status: "Active" | "Joining" | "Leaving"): ProverRecord => ({
  address: new Uint8Array(32).fill(id),
  publicKey: new Uint8Array(585).fill(id),
  status: "Active",
  seniority: 0n,
  kickFrameNumber: 0n,
  allocations: [{ filter: SHARD, status, joinFrameNumber: 0n, lastActiveFrameNumber: 0n }],
})
const ids = (addresses: ReadonlyArray<Uint8Array>) => addresses.map((a) => a[0])

describe("committee history", () => {
  test("entries only on change, ordered by address, answered by frame", () => {
    const history: CommitteeHistory = new Map()
    expect(recordCommittees(history, [record(2, "Active"), record(1, "Active")], [shardHex], 0n)).toEqual([shardHex])
    // Unchanged set: no entry.
    expect(recordCommittees(history, [record(1, "Active"), record(2, "Active"), record(3, "Joining")], [shardHex], 4n)).toEqual([])
    expect(recordCommittees(history, [record(1, "Active"), record(2, "Active"), record(3, "Active")], [shardHex], 9n)).toEqual([shardHex])
    expect(history.get(shardHex)?.map((e) => e.fromFrame)).toEqual([0n, 9n])
    expect(ids(committeeAt(history, SHARD, 0n))).toEqual([1, 2])
    expect(ids(committeeAt(history, SHARD, 8n))).toEqual([1, 2])
    expect(ids(committeeAt(history, SHARD, 9n))).toEqual([1, 2, 3])
    expect(ids(committeeAt(history, SHARD, 100n))).toEqual([1, 2, 3])
    expect(committeeAt(history, new Uint8Array(), 9n)).toEqual([])
  })

  test("a second change at the same frame replaces that frame's entry; an empty filter never seen gets none", () => {
    const history: CommitteeHistory = new Map()
    recordCommittees(history, [record(1, "Active")], [shardHex], 0n)
    recordCommittees(history, [record(1, "Active"), record(2, "Active")], [shardHex], 5n)
    recordCommittees(history, [record(1, "Leaving"), record(2, "Active")], [shardHex], 5n)
    expect(history.get(shardHex)?.map((e) => [e.fromFrame, ids(e.addresses)])).toEqual([
      [0n, [1]],
      [5n, [2]],
    ])
    expect(recordCommittees(history, [record(1, "Joining")], [bytesToHex(new Uint8Array(32).fill(9))], 6n)).toEqual([])
    expect([...filtersOf([record(1, "Joining")])]).toEqual([shardHex])
  })
})
