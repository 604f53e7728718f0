// Which provers vote on a frame (consensus.md §3.11, app D-APP-18): the core asks its chain's source for
// the committee of each frame it handles instead of holding one committee per engine incarnation, so a
// registry change takes effect at a frame boundary every node computes alike. A source that has not
// applied what the answer depends on says so, and the asker waits; it never gets another set instead.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Either, Option } from "effect"
import type { FrameBranch } from "./chain-kind.ts"
import { type ActiveProver, indexOfAddress } from "./prover-ring.ts"
import { type QuorumRule, quorumRuleFor } from "./quorum-rule.ts"
import type { VerifiedCertificates } from "./verified-certificates.ts"

/** The frame whose committee is asked for: its number, and the frame or its parent when this node holds them. */
export interface CommitteeSubject<F> {
  readonly frameNumber: bigint
  readonly frame?: F | undefined
  readonly parent?: F | undefined
}

/** The members sorted by address, or why they are not known yet (the asker retries later). */
type CommitteeAnswer = Either.Either<ReadonlyArray<ActiveProver>, string>

export interface CommitteeSource<F> {
  readonly committeeOf: (subject: CommitteeSubject<F>, branch: FrameBranch<F>) => Effect.Effect<CommitteeAnswer>
}

/** The same provers for every frame (a devnet's genesis committee, tests). */
export const constantCommitteeSource = <F>(members: ReadonlyArray<ActiveProver>): CommitteeSource<F> => {
  const answer: CommitteeAnswer = Either.right(members)
  return { committeeOf: () => Effect.succeed(answer) }
}

/** One committee as the core uses it: members, quorum rule, this node's index and its certificate cache. */
export interface Committee {
  /** Sorted by address: the bitmask order. */
  readonly members: ReadonlyArray<ActiveProver>
  readonly rule: QuorumRule
  /** This node's index, −1 when it is not a member. */
  readonly selfIndex: number
  /** Addresses and weights: equal ids are the same committee. */
  readonly id: string
  /** Certificates verified against exactly this committee (D-GC-14): a changed committee cannot reuse them. */
  readonly verified: VerifiedCertificates
}

const committeeId = (members: ReadonlyArray<ActiveProver>): string => members.map((m) => `${bytesToHex(m.address)}:${m.seniority}`).join(",")

/** How many distinct committees an engine remembers (a committee changes rarely; the oldest go first). */
const REMEMBERED_COMMITTEES = 16

/**
 * The engine's side of the source: builds each distinct committee once (its rule, this node's index, its
 * scope of the verified-certificate cache), so equal answers give the same object.
 */
export class Committees<F> {
  private readonly byId = new Map<string, Committee>()

  constructor(
    private readonly source: CommitteeSource<F>,
    private readonly filter: Uint8Array,
    private readonly self: Uint8Array,
    private readonly verified: VerifiedCertificates,
  ) {}

  /** The committee of `subject`, or the source's reason it is not known yet. */
  of(subject: CommitteeSubject<F>, branch: FrameBranch<F>): Effect.Effect<Either.Either<Committee, string>> {
    return Effect.map(
      this.source.committeeOf(subject, branch),
      Either.map((members) => this.committee(members)),
    )
  }

  /** The Committee object for `members` (sorted by address). */
  committee(members: ReadonlyArray<ActiveProver>): Committee {
    const id = committeeId(members)
    const known = this.byId.get(id)
    if (known !== undefined) return known
    const made: Committee = {
      members,
      rule: quorumRuleFor(members, this.filter),
      selfIndex: Option.getOrElse(indexOfAddress(members, this.self), () => -1),
      id,
      verified: this.verified.scoped(id),
    }
    this.byId.set(id, made)
    for (const old of this.byId.keys()) {
      if (this.byId.size <= REMEMBERED_COMMITTEES) break
      this.byId.delete(old)
    }
    return made
  }
}
