// Paying the certified shard frames a committed global frame carried (consensus.md §4.5 step 3, §9): each
// participating prover (a set bit of the QC's signer bitmask) in ring r earns share_r into its reward
// balance, and its allocation's LastActiveFrameNumber becomes the global frame number. Pure: the same
// committee, balances and frames give the same result on every node.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Either } from "effect"
import { shardFrameShare } from "../consensus/core/reward/pomw.ts"
import { ringAssignments } from "../consensus/core/ring-order.ts"
import { bitmaskIndices } from "../consensus/core/signer-bitmask.ts"
import type { ProverRecord } from "./prover-record.ts"
import type { CommittedCredits, ShardFrameCredit } from "./reward-feed.ts"

export interface CreditInput {
  /** The committee the updates' bitmasks index, sorted by address (D-REWARD-5). */
  readonly committee: ReadonlyArray<ProverRecord>
  /** Reward balances by hex(address). */
  readonly balances: ReadonlyMap<string, bigint>
  readonly frames: ReadonlyArray<CommittedCredits>
}

export interface CreditOutcome {
  /** New balances of the provers that earned something, by hex(address). */
  readonly balances: Map<string, bigint>
  /** Records whose allocation's LastActiveFrameNumber moved, by hex(address). */
  readonly records: Map<string, ProverRecord>
  /** (prover, shard frame) pairs paid. */
  readonly credits: number
  /** Updates that paid nothing because their reward could not be computed (never expected: leaf count 0 is read as 1). */
  readonly skipped: ReadonlyArray<string>
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** The allocation a shard frame makes active: the shard's own, else the global one that put the prover in the committee. */
const allocationIndexFor = (record: ProverRecord, shard: Uint8Array): number => {
  const own = record.allocations.findIndex((a) => a.status === "Active" && sameBytes(a.filter, shard))
  return own >= 0 ? own : record.allocations.findIndex((a) => a.status === "Active" && a.filter.length === 0)
}

const joinFrameFor = (record: ProverRecord, shard: Uint8Array): bigint => record.allocations[allocationIndexFor(record, shard)]?.joinFrameNumber ?? 0n

/** Ring of each committee member for one shard (§8.5: join frame, then seniority descending, then address). */
const ringsFor = (committee: ReadonlyArray<ProverRecord>, shard: Uint8Array): Map<string, number> =>
  new Map(
    ringAssignments(
      committee.map((r) => ({ address: r.address, seniority: r.seniority, joinFrameNumber: joinFrameFor(r, shard), joinConfirmFrameNumber: 0n })),
    ).map(({ member, ring }) => [bytesToHex(member.address), ring]),
  )

export const creditShardFrames = (input: CreditInput): CreditOutcome => {
  const balances = new Map<string, bigint>()
  const records = new Map<string, ProverRecord>()
  const skipped: Array<string> = []
  let credits = 0
  const current = (key: string, record: ProverRecord) => records.get(key) ?? record
  for (const { globalFrameNumber, updates } of input.frames) {
    for (const update of updates) {
      const rings = ringsFor(input.committee, update.shard)
      const shares = new Map<number, bigint>()
      const shareOf = (u: ShardFrameCredit, ring: number): bigint | undefined => {
        const known = shares.get(ring)
        if (known !== undefined) return known
        const share = shardFrameShare(u.difficulty, u.worldSize, ring, u.leafCount, u.stateSize)
        if (Either.isLeft(share)) return undefined
        shares.set(ring, share.right)
        return share.right
      }
      for (const index of bitmaskIndices(update.bitmask)) {
        const member = input.committee[index]
        if (member === undefined) continue
        const key = bytesToHex(member.address)
        const share = shareOf(update, rings.get(key) ?? 0)
        if (share === undefined) {
          skipped.push(`${bytesToHex(update.shard)}@${globalFrameNumber}`)
          break
        }
        balances.set(key, (balances.get(key) ?? input.balances.get(key) ?? 0n) + share)
        credits++
        const record = current(key, member)
        const at = allocationIndexFor(record, update.shard)
        const allocation = record.allocations[at]
        if (allocation !== undefined && allocation.lastActiveFrameNumber < globalFrameNumber) {
          const allocations = record.allocations.map((a, i) => (i === at ? { ...a, lastActiveFrameNumber: globalFrameNumber } : a))
          records.set(key, { ...record, allocations })
        }
      }
    }
  }
  return { balances, records, credits, skipped }
}
