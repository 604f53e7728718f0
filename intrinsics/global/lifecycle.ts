// The prover lifecycle of consensus.md §8.3 as one pure step: (state, op, ctx) → the next state, or a
// typed OpError and nothing changed. `validateLifecycleOp` is that step with the result dropped, so
// validation and application can never disagree, and every node that validates before it applies
// (execution.md §11.3 #33) computes the same records at the same frame.
import * as Either from "effect/Either"
import { type CryptoServices, OpError } from "../contract/index.ts"
import {
  ADDRESS_BYTES,
  DOMAIN_NAMES,
  MAX_FILTER_BYTES,
  MIN_FILTER_BYTES,
  POP_DOMAIN,
  PROVER_CONFIRM,
  PROVER_JOIN,
  PROVER_LEAVE,
  PROVER_PAUSE,
  PROVER_REJECT,
  PROVER_RESUME,
  PROVER_UPDATE,
  VDF_PROOF_BYTES,
} from "./constants.ts"
import { effectiveStatus } from "./lifecycle-status.ts"
import { joinProofIds, type ProverJoin, proverJoinSignedBytes } from "./messages/join.ts"
import { type ProverConfirm, type ProverLeave, type ProverPause, type ProverUpdate, type SignedLifecycleOp, signedBytes } from "./messages/signed-ops.ts"
import type { LifecycleParams } from "./params.ts"
import {
  allocationFor,
  hexOf,
  type LifecycleAllocation,
  type LifecycleProver,
  type LifecycleState,
  newAllocation,
  type ProverStatus,
  withAllocation,
  withProver,
} from "./records.ts"
import { lifecycleDomain } from "./signatures.ts"

export type LifecycleOp = ProverJoin | SignedLifecycleOp

/** The VDF challenge of a global frame: `SHA3-256(output)` and its difficulty (§4.6 step 2). */
export interface JoinChallenge {
  readonly challenge: Uint8Array
  readonly difficulty: number
}

export interface LifecycleCtx {
  /** The global frame the operation executes in. */
  readonly frameNumber: bigint
  readonly params: LifecycleParams
  readonly crypto: Pick<CryptoServices, "poseidon" | "blsVerify" | "vdfVerifyMulti">
  /** The challenge of global frame `n` (canonical or candidate), undefined when this node does not hold it. */
  readonly joinChallenge: (n: bigint) => JoinChallenge | undefined
}

const opTypeOf = (op: LifecycleOp): number => {
  switch (op._tag) {
    case "ProverJoin":
      return PROVER_JOIN
    case "ProverLeave":
      return PROVER_LEAVE
    case "ProverPause":
      return PROVER_PAUSE
    case "ProverResume":
      return PROVER_RESUME
    case "ProverConfirm":
      return PROVER_CONFIRM
    case "ProverReject":
      return PROVER_REJECT
    case "ProverUpdate":
      return PROVER_UPDATE
  }
}

type Step = Either.Either<LifecycleState, OpError>

const fail =
  (op: LifecycleOp) =>
  (kind: "invalid" | "state", reason: string): Step =>
    Either.left(new OpError({ kind, opType: opTypeOf(op), reason }))

/**
 * Signed operations carry the frame they were signed for; quilbun admits them only while
 * `frame − joinMaxAge ≤ frame_number ≤ frame`, so a signed leave, pause or confirm cannot be replayed
 * later (the reference checks the age of joins only; DECISIONS.md D-GLOB-5).
 */
const freshness = (op: LifecycleOp & { readonly frameNumber: bigint }, ctx: LifecycleCtx): string | undefined => {
  if (op.frameNumber > ctx.frameNumber) return `frame_number ${op.frameNumber} is after the executing frame ${ctx.frameNumber}`
  if (op.frameNumber + ctx.params.joinMaxAge < ctx.frameNumber) return `frame_number ${op.frameNumber} is more than ${ctx.params.joinMaxAge} frames old`
  return undefined
}

/** The prover's status as the registry reads it: derived from its allocations' stored statuses. */
const proverStatusOf = (prover: LifecycleProver): ProverStatus => {
  if (prover.kickFrameNumber !== 0n) return "Kicked"
  const order: ReadonlyArray<ProverStatus> = ["Active", "Joining", "Paused", "Leaving"]
  return order.find((s) => prover.allocations.some((a) => a.status === s)) ?? "Rejected"
}

const settle = (state: LifecycleState, prover: LifecycleProver): LifecycleState => withProver(state, { ...prover, status: proverStatusOf(prover) })

const distinct = (filters: ReadonlyArray<Uint8Array>): boolean => new Set(filters.map(hexOf)).size === filters.length

const join = (state: LifecycleState, op: ProverJoin, ctx: LifecycleCtx): Step => {
  const no = fail(op)
  const { params, crypto } = ctx
  const frame = ctx.frameNumber
  if (op.signature === undefined) return no("invalid", "unsigned join")
  if (op.filters.length === 0) return no("invalid", "a join names at least one filter")
  if (!distinct(op.filters)) return no("invalid", "a filter is named twice")
  const badFilter = op.filters.findIndex((f) => f.length < MIN_FILTER_BYTES || f.length > MAX_FILTER_BYTES)
  if (badFilter >= 0) return no("invalid", `filters[${badFilter}]: want ${MIN_FILTER_BYTES}–${MAX_FILTER_BYTES} bytes`)
  if (op.proof.length !== VDF_PROOF_BYTES * op.filters.length) return no("invalid", `proof is ${op.proof.length} bytes, want ${VDF_PROOF_BYTES} per filter`)
  if (op.delegateAddress.length !== 0 && op.delegateAddress.length !== ADDRESS_BYTES) return no("invalid", "delegate_address is neither empty nor 32 bytes")
  if (op.frameNumber > frame) return no("invalid", `frame_number ${op.frameNumber} is after the executing frame ${frame}`)
  if (op.frameNumber + params.joinMaxAge < frame)
    return no("invalid", `outdated request: frame_number ${op.frameNumber} is more than ${params.joinMaxAge} frames old`)
  // Seniority merging needs the old-key verifiers and the mainnet seniority tables (§8.4); until then a
  // merge target is refused rather than silently ignored (DECISIONS.md D-GLOB-6).
  if (op.mergeTargets.length > 0) return no("invalid", "seniority merge targets are not supported yet")
  const { publicKey } = op.signature
  const address = crypto.poseidon(publicKey)
  const existing = state.get(hexOf(address))
  if (existing !== undefined && existing.kickFrameNumber !== 0n) return no("state", `prover has been kicked at frame ${existing.kickFrameNumber}`)
  for (const f of op.filters) {
    const a = existing === undefined ? undefined : allocationFor(existing, f)
    if (a !== undefined && effectiveStatus(a, frame, params) !== "Rejected") return no("state", `allocation ${hexOf(f)} exists in status ${a.status}`)
  }
  // Cryptography last: it is the expensive part, and a state refusal needs none of it.
  const domain = lifecycleDomain(crypto, DOMAIN_NAMES[PROVER_JOIN])
  if (!crypto.blsVerify(publicKey, op.signature.signature, proverJoinSignedBytes(op), domain)) return no("invalid", "invalid signature")
  if (!crypto.blsVerify(publicKey, op.signature.popSignature, publicKey, POP_DOMAIN)) return no("invalid", "invalid proof of possession")
  const seed = ctx.joinChallenge(op.frameNumber)
  if (seed === undefined) return no("state", `global frame ${op.frameNumber} is unknown`)
  if (crypto.vdfVerifyMulti === undefined) return no("invalid", "this host has no VDF multiproof verifier")
  const blobs = op.filters.map((_, i) => op.proof.subarray(i * VDF_PROOF_BYTES, (i + 1) * VDF_PROOF_BYTES))
  if (!crypto.vdfVerifyMulti(seed.challenge, seed.difficulty, joinProofIds(address, op.filters), blobs)) return no("invalid", "invalid multi proof")
  const base: LifecycleProver = existing ?? {
    address,
    publicKey,
    status: "Joining",
    seniority: 0n,
    kickFrameNumber: 0n,
    delegateAddress: address,
    allocations: [],
  }
  const delegated: LifecycleProver = { ...base, delegateAddress: op.delegateAddress.length === 0 ? address : op.delegateAddress }
  const joined = op.filters.reduce((p, f) => withAllocation(p, newAllocation(f, "Joining", { joinFrameNumber: op.frameNumber })), delegated)
  return Either.right(settle(state, joined))
}

/** The signer of an addressed-signature operation: a known, unkicked prover whose key verifies the signature. */
const signer = (state: LifecycleState, op: SignedLifecycleOp, ctx: LifecycleCtx): Either.Either<LifecycleProver, OpError> => {
  const prover = state.get(hexOf(op.signature.address))
  const no = (kind: "invalid" | "state", reason: string) => Either.left(new OpError({ kind, opType: opTypeOf(op), reason }))
  if (prover === undefined) return no("state", `unknown prover ${hexOf(op.signature.address)}`)
  if (prover.kickFrameNumber !== 0n) return no("state", "prover has been kicked")
  const domain = lifecycleDomain(ctx.crypto, DOMAIN_NAMES[opTypeOf(op) as keyof typeof DOMAIN_NAMES])
  if (!ctx.crypto.blsVerify(prover.publicKey, op.signature.signature, signedBytes(op), domain)) return no("invalid", "invalid signature")
  return Either.right(prover)
}

/** The join frame the confirm window is measured from, after mainnet's enrollment gate (§8.3 confirm). */
const confirmableJoin = (a: LifecycleAllocation, ctx: LifecycleCtx): Either.Either<{ readonly from: bigint; readonly windowed: boolean }, string> => {
  const legacy = ctx.params.legacyEnrollment
  if (legacy === undefined) return Either.right({ from: a.joinFrameNumber, windowed: true })
  let from = a.joinFrameNumber
  if (from >= legacy.start && from < legacy.end) {
    if (ctx.frameNumber < legacy.end) return Either.left(`cannot confirm before frame ${legacy.end}`)
    const floor = legacy.end - ctx.params.confirmDelay
    from = from > floor ? from : floor
  }
  return Either.right({ from, windowed: from >= legacy.windowedFrom || from <= legacy.start })
}

const inWindow = (since: bigint, ctx: LifecycleCtx): boolean => {
  const elapsed = ctx.frameNumber - since
  return elapsed >= ctx.params.confirmDelay && elapsed <= ctx.params.lifecycleWindow
}

/** Applies `change` to the allocation of every filter, all or nothing: the first refusal refuses the op. */
const perFilter = (
  state: LifecycleState,
  prover: LifecycleProver,
  op: LifecycleOp,
  filters: ReadonlyArray<Uint8Array>,
  change: (a: LifecycleAllocation) => Either.Either<LifecycleAllocation, string>,
): Step => {
  if (filters.length === 0) return fail(op)("invalid", "no filters")
  if (!distinct(filters)) return fail(op)("invalid", "a filter is named twice")
  let next = prover
  for (const f of filters) {
    const a = allocationFor(next, f)
    if (a === undefined) return fail(op)("state", `no allocation for filter ${hexOf(f)}`)
    const changed = change(a)
    if (Either.isLeft(changed)) return fail(op)("state", `filter ${hexOf(f)}: ${changed.left}`)
    next = withAllocation(next, changed.right)
  }
  return Either.right(settle(state, next))
}

const confirm = (state: LifecycleState, prover: LifecycleProver, op: ProverConfirm, ctx: LifecycleCtx): Step =>
  perFilter(state, prover, op, op.filters, (a) => {
    const at = op.frameNumber
    if (a.status === "Joining") {
      return Either.flatMap(confirmableJoin(a, ctx), ({ from, windowed }) =>
        windowed && !inWindow(from, ctx)
          ? Either.left(
              `join at ${a.joinFrameNumber} is not confirmable at ${ctx.frameNumber} (window ${ctx.params.confirmDelay}–${ctx.params.lifecycleWindow})`,
            )
          : Either.right({ ...a, status: "Active" as const, joinConfirmFrameNumber: at, lastActiveFrameNumber: at }),
      )
    }
    if (a.status === "Leaving") {
      return inWindow(a.leaveFrameNumber, ctx)
        ? Either.right({ ...a, status: "Rejected" as const, leaveConfirmFrameNumber: at })
        : Either.left(`leave at ${a.leaveFrameNumber} is not confirmable at ${ctx.frameNumber}`)
    }
    return Either.left(`status ${a.status} cannot be confirmed`)
  })

const reject = (state: LifecycleState, prover: LifecycleProver, op: ProverConfirm, ctx: LifecycleCtx): Step =>
  perFilter(state, prover, op, op.filters, (a) => {
    const status = effectiveStatus(a, ctx.frameNumber, ctx.params)
    if (a.status === "Joining") {
      return status === "Joining"
        ? Either.right({ ...a, status: "Rejected" as const, joinRejectFrameNumber: op.frameNumber })
        : Either.left("join already implicitly rejected")
    }
    if (a.status === "Leaving") {
      return status === "Leaving"
        ? Either.right({ ...a, status: "Active" as const, leaveRejectFrameNumber: op.frameNumber })
        : Either.left("leave already expired")
    }
    return Either.left(`status ${a.status} cannot be rejected`)
  })

const leave = (state: LifecycleState, prover: LifecycleProver, op: ProverLeave, ctx: LifecycleCtx): Step => {
  const active = op.filters.filter((f) => {
    const a = allocationFor(prover, f)
    return a !== undefined && effectiveStatus(a, ctx.frameNumber, ctx.params) === "Active"
  })
  if (active.length === 0) return fail(op)("state", "no active allocations found for specified filters")
  return perFilter(state, prover, op, active, (a) => Either.right({ ...a, status: "Leaving" as const, leaveFrameNumber: op.frameNumber }))
}

const pause = (state: LifecycleState, prover: LifecycleProver, op: ProverPause, ctx: LifecycleCtx): Step =>
  perFilter(state, prover, op, [op.filter], (a) =>
    effectiveStatus(a, ctx.frameNumber, ctx.params) === "Active"
      ? Either.right({ ...a, status: "Paused" as const, pauseFrameNumber: op.frameNumber })
      : Either.left(`status ${a.status} cannot be paused`),
  )

const resume = (state: LifecycleState, prover: LifecycleProver, op: ProverPause, ctx: LifecycleCtx): Step =>
  perFilter(state, prover, op, [op.filter], (a) => {
    if (a.status !== "Paused") return Either.left(`status ${a.status} cannot be resumed`)
    if (effectiveStatus(a, ctx.frameNumber, ctx.params) !== "Paused") return Either.left("pause timeout exceeded, allocation has implicitly left")
    return Either.right({ ...a, status: "Active" as const, resumeFrameNumber: op.frameNumber })
  })

const update = (state: LifecycleState, prover: LifecycleProver, op: ProverUpdate): Step =>
  op.delegateAddress.length !== ADDRESS_BYTES
    ? fail(op)("invalid", "delegate_address must be 32 bytes")
    : Either.right(settle(state, { ...prover, delegateAddress: op.delegateAddress }))

/** One lifecycle operation at `ctx.frameNumber`: the next records, or why not (nothing changed). */
export const applyLifecycleOp = (state: LifecycleState, op: LifecycleOp, ctx: LifecycleCtx): Step => {
  if (op._tag === "ProverJoin") return join(state, op, ctx)
  if (op._tag !== "ProverUpdate") {
    const stale = freshness(op, ctx)
    if (stale !== undefined) return fail(op)("invalid", stale)
  }
  // A global allocation (empty filter) leaves, pauses and resumes like a shard's: the global chain votes
  // with the registry's committee by frame (D-GLOB-9, consensus global D-GC-13). Joins need a shard filter.
  return Either.flatMap(signer(state, op, ctx), (prover) => {
    switch (op._tag) {
      case "ProverLeave":
        return leave(state, prover, op, ctx)
      case "ProverPause":
        return pause(state, prover, op, ctx)
      case "ProverResume":
        return resume(state, prover, op, ctx)
      case "ProverConfirm":
        return confirm(state, prover, op, ctx)
      case "ProverReject":
        return reject(state, prover, op, ctx)
      case "ProverUpdate":
        return update(state, prover, op)
    }
  })
}

export const validateLifecycleOp = (state: LifecycleState, op: LifecycleOp, ctx: LifecycleCtx): Either.Either<void, OpError> =>
  Either.map(applyLifecycleOp(state, op, ctx), () => undefined)
