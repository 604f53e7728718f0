// Eviction as the registry applies it (D-REG-9): the pure §8.5 rule at a committed frame over the registry's
// records, halt durations 0, provers holding an Active global allocation left out (D-GLOB-9).
import { describe, expect, test } from "bun:test"
import { bytesToHex } from "@noble/hashes/utils.js"
import { applyEviction } from "../../../../actors/prover-registry/eviction-apply.ts"
import type { ProverRecord } from "../../../../actors/prover-registry/prover-record.ts"
import { DEVNET_LIFECYCLE } from "../../../../intrinsics/global/index.ts"

const SHARD = new Uint8Array(32).fill(0x33)

const prover = (id: number, lastActive: bigint, global = false): ProverRecord => ({
  address: new Uint8Array(32).fill(id),
  publicKey: new Uint8Array(585).fill(id),
  status: "Active",
  seniority: 0n,
  kickFrameNumber: 0n,
  allocations: [
    ...(global ? [{ filter: new Uint8Array(), status: "Active" as const, joinFrameNumber: 0n, lastActiveFrameNumber: 0n }] : []),
    { filter: SHARD, status: "Active" as const, joinFrameNumber: 0n, lastActiveFrameNumber: lastActive },
  ],
})
/** Every prover's signatures credited (shard updates validated against a committee holding them all). */
const all = () => true
const byKey = (rs: ReadonlyArray<ProverRecord>) => new Map(rs.map((r) => [bytesToHex(r.address), r]))

describe("registry eviction", () => {
  // Devnet inactivity limit: 10 frames.
  const records = byKey([prover(1, 3n), prover(2, 5n), prover(3, 0n), prover(4, 3n, true)])

  test("a shard prover silent for more than the limit is kicked at that frame; one within it, one never active and a global prover are not", () => {
    expect(applyEviction(records, 13n, DEVNET_LIFECYCLE, all).evicted).toEqual([])
    const out = applyEviction(records, 14n, DEVNET_LIFECYCLE, all)
    expect(out.evicted).toEqual([bytesToHex(new Uint8Array(32).fill(1))])
    const kicked = out.changed.get(bytesToHex(new Uint8Array(32).fill(1)))
    expect(kicked?.status).toBe("Kicked")
    expect(kicked?.kickFrameNumber).toBe(14n)
    expect(kicked?.allocations.map((a) => [a.status, a.kickFrameNumber])).toEqual([["Rejected", 14n]])
    expect(out.changed.size).toBe(1)
    expect(applyEviction(records, 16n, DEVNET_LIFECYCLE, all).evicted.length).toBe(2)
  })

  test("a prover already kicked is not kicked again", () => {
    const once = applyEviction(records, 14n, DEVNET_LIFECYCLE, all)
    const after = new Map([...records, ...once.changed])
    expect(applyEviction(after, 14n, DEVNET_LIFECYCLE, all).evicted).toEqual([])
  })

  test("a prover whose signatures are never credited (outside the committee shard updates are paid against) is never found inactive", () => {
    // Prover 1 joined and was confirmed (LastActive = its confirm frame) but its shard engines run a committee
    // without it: it could not have signed, so silence proves nothing (D-REG-11).
    const inCommittee = (address: Uint8Array) => address[0] !== 1
    expect(applyEviction(records, 14n, DEVNET_LIFECYCLE, inCommittee).evicted).toEqual([])
    expect(applyEviction(records, 16n, DEVNET_LIFECYCLE, inCommittee).evicted).toEqual([bytesToHex(new Uint8Array(32).fill(2))])
  })
})
