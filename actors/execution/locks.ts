// Locks at proposal time (spec §1.7, §11.2 "write locks against same-frame double spends",
// §11.3 #2, #7): the leader walks the candidate bundles in the given order, computes each one's
// access set (the union over its requests, each with its own plugin), and keeps a bundle only if
// it conflicts with none already kept: a write conflicts with a kept write or read, a read with a
// kept write. A conflicting or unresolvable bundle is excluded, not just unlocked. Same
// candidates in the same order → same selection on every node.
import type { FailureReason } from "./failure.ts"
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Either from "effect/Either"
import type { ReadView } from "../../intrinsics/contract/index.ts"
import { armMeter, disarmMeter } from "./loop-meter.ts"
import { type ResolverConfig, resolveBundle } from "./resolver.ts"

/** A candidate that did not resolve against committed state: why (a lock conflict is not a refusal). */
export interface Refusal {
  readonly index: number
  readonly reason: FailureReason
  readonly detail: string
}

export const selectForProposal = (
  config: ResolverConfig,
  candidates: ReadonlyArray<Uint8Array>,
  frameNumber: bigint,
  view: ReadView,
  /** Each candidate's decoding and access sets run under the loop meter with this budget (loop-meter.ts). */
  budgetMs?: number,
): { readonly selected: Array<number>; readonly refused: Array<Refusal> } => {
  const lockedWrites = new Set<string>()
  const lockedReads = new Set<string>()
  const selected: Array<number> = []
  const refused: Array<Refusal> = []
  candidates.forEach((bytes, index) => {
    if (budgetMs !== undefined) armMeter(budgetMs)
    const resolved = resolveBundle(config, bytes, frameNumber, view)
    disarmMeter()
    if (Either.isLeft(resolved)) {
      refused.push({ index, reason: resolved.left.reason, detail: resolved.left.message })
      return
    }
    const writes = new Set<string>()
    const reads = new Set<string>()
    for (const request of resolved.right.requests) {
      for (const id of request.access.writes) writes.add(bytesToHex(id))
      for (const id of request.access.reads) reads.add(bytesToHex(id))
    }
    for (const w of writes) if (lockedWrites.has(w) || lockedReads.has(w)) return
    for (const r of reads) if (lockedWrites.has(r)) return
    for (const w of writes) lockedWrites.add(w)
    for (const r of reads) lockedReads.add(r)
    selected.push(index)
  })
  return { selected, refused }
}
