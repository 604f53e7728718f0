// One operation type of an intrinsic (spec §11.1 "operation schemas", "access set",
// "validate / apply", "fee function"). Authors write an OperationDef over their own decoded type;
// defineOperation erases that type behind DecodedOp so the host can keep every intrinsic's
// operations in one table and still call them with the decoded value they came from.
import * as Either from "effect/Either"
import type * as Effect from "effect/Effect"
import { bytesEqual } from "./ids.ts"
import type { CryptoServices, ExecCtx } from "./exec-ctx.ts"
import { malformed, type OpError } from "./op-error.ts"
import type { ReadView, StateView, ViewError } from "./state-view.ts"

/** The ids (64 bytes each) an operation reads and writes; the host locks them at proposal time (spec §1.7, §11.2). */
export interface AccessSet {
  readonly reads: ReadonlyArray<Uint8Array>
  /** Must cover every id `apply` writes (asserted by the overlay in test builds). */
  readonly writes: ReadonlyArray<Uint8Array>
}

/** What the access set may depend on: it is computed at proposal time, before fees are known. */
export interface LockCtx {
  readonly frameNumber: bigint
  readonly routedDomain: Uint8Array
  readonly crypto: CryptoServices
}

/** A typed record of what `apply` did, for the wallet scanner, indexes and subscribers (spec §11.1). */
export interface ExecEvent {
  /** The intrinsic's own event name, e.g. "coin-created". */
  readonly kind: string
  /** The atom the event is about. */
  readonly id: Uint8Array
  readonly data?: Uint8Array
}

export interface OperationDef<Op> {
  /** The canonical u32 type prefix; listed in the manifest's `opTypes`. */
  readonly opType: number
  readonly name: string
  /** Canonical bytes, prefix included. */
  readonly encode: (op: Op) => Uint8Array
  /** Total: malformed input is a Left, never a throw (use decodeCanonical). */
  readonly decode: (bytes: Uint8Array) => Either.Either<Op, OpError>
  readonly accessSet: (op: Op, ctx: LockCtx) => AccessSet
  /** Every structural, cryptographic, fee and state check; reads only (spec §11.1). */
  readonly validate: (op: Op, view: ReadView, ctx: ExecCtx) => Effect.Effect<void, OpError>
  /** Stages writes through the view; runs only after validate passed. */
  readonly apply: (op: Op, view: StateView, ctx: ExecCtx) => Effect.Effect<ReadonlyArray<ExecEvent>, OpError | ViewError>
  /** The raw cost basis (spec §6.1), multiplied by the bundle's fee multiplier. */
  readonly cost: (op: Op) => bigint
  /** Fees this operation adds to the bundle's queue (only for op types whose policy `producesFees`). */
  readonly producedFees?: (op: Op) => ReadonlyArray<bigint>
  /**
   * The domain a client sends the operation to (spec §1.6, the reference's `Send{domain}`): a base
   * domain for deploys, the instance for everything addressed to one. With it the node routes a bare
   * MessageBundle itself; without it the submitter has to name the domain.
   */
  readonly target?: (op: Op) => Uint8Array
}

/** A decoded operation with its definition bound: what the host works with. */
export interface DecodedOp {
  readonly opType: number
  readonly name: string
  /** The canonical bytes it was decoded from (the key for locks and precomputed checks). */
  readonly bytes: Uint8Array
  readonly accessSet: (ctx: LockCtx) => AccessSet
  readonly validate: (view: ReadView, ctx: ExecCtx) => Effect.Effect<void, OpError>
  readonly apply: (view: StateView, ctx: ExecCtx) => Effect.Effect<ReadonlyArray<ExecEvent>, OpError | ViewError>
  readonly cost: () => bigint
  readonly producedFees: () => ReadonlyArray<bigint>
  /** OperationDef.target, bound (undefined when the operation does not name its domain). */
  readonly target: () => Uint8Array | undefined
}

export interface Operation {
  readonly opType: number
  readonly name: string
  readonly decode: (bytes: Uint8Array) => Either.Either<DecodedOp, OpError>
}

/** The typed handle an intrinsic keeps for its builders and tests. */
export interface TypedOperation<Op> extends Operation {
  readonly encode: (op: Op) => Uint8Array
  /** Encodes and binds a value built in code (builders, tests). */
  readonly bind: (op: Op) => DecodedOp
}

const noFees: ReadonlyArray<bigint> = []

export const defineOperation = <Op>(def: OperationDef<Op>): TypedOperation<Op> => {
  const bindTo = (op: Op, bytes: Uint8Array): DecodedOp => ({
    opType: def.opType,
    name: def.name,
    bytes,
    accessSet: (ctx) => def.accessSet(op, ctx),
    validate: (view, ctx) => def.validate(op, view, ctx),
    apply: (view, ctx) => def.apply(op, view, ctx),
    cost: () => def.cost(op),
    producedFees: () => (def.producedFees === undefined ? noFees : def.producedFees(op)),
    target: () => def.target?.(op),
  })
  return {
    opType: def.opType,
    name: def.name,
    encode: def.encode,
    bind: (op) => bindTo(op, def.encode(op)),
    // Canonical means one form: bytes that decode but re-encode differently are refused, so two
    // nodes can never lock or hash different bytes for the same operation.
    decode: (bytes) => {
      try {
        const decoded = def.decode(bytes)
        if (Either.isLeft(decoded)) return Either.left(decoded.left)
        const op = decoded.right
        return bytesEqual(def.encode(op), bytes) ? Either.right(bindTo(op, bytes.slice())) : Either.left(malformed(def.opType, "not the canonical encoding"))
      } catch (e) {
        return Either.left(malformed(def.opType, `decoder threw: ${e instanceof Error ? e.message : String(e)}`))
      }
    },
  }
}
