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

/**
 * A decoded operation with its definition bound: what the host works with. Call its functions as
 * methods (`op.validate(view, ctx)`): they live on a shared prototype, not in closures per
 * operation (the host decodes one per request).
 */
export interface DecodedOp {
  readonly opType: number
  readonly name: string
  /** The canonical bytes it was decoded from (the key for locks and precomputed checks). */
  readonly bytes: Uint8Array
  accessSet(ctx: LockCtx): AccessSet
  validate(view: ReadView, ctx: ExecCtx): Effect.Effect<void, OpError>
  apply(view: StateView, ctx: ExecCtx): Effect.Effect<ReadonlyArray<ExecEvent>, OpError | ViewError>
  cost(): bigint
  producedFees(): ReadonlyArray<bigint>
  /** OperationDef.target, bound (undefined when the operation does not name its domain). */
  target(): Uint8Array | undefined
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

// One class for every operation: the definition and the decoded value are two fields, the
// functions are shared (six closures per decoded operation were most of the host's garbage).
class BoundOp<Op> implements DecodedOp {
  constructor(
    private readonly def: OperationDef<Op>,
    private readonly op: Op,
    readonly bytes: Uint8Array,
  ) {}
  get opType(): number {
    return this.def.opType
  }
  get name(): string {
    return this.def.name
  }
  accessSet(ctx: LockCtx): AccessSet {
    return this.def.accessSet(this.op, ctx)
  }
  validate(view: ReadView, ctx: ExecCtx): Effect.Effect<void, OpError> {
    return this.def.validate(this.op, view, ctx)
  }
  apply(view: StateView, ctx: ExecCtx): Effect.Effect<ReadonlyArray<ExecEvent>, OpError | ViewError> {
    return this.def.apply(this.op, view, ctx)
  }
  cost(): bigint {
    return this.def.cost(this.op)
  }
  producedFees(): ReadonlyArray<bigint> {
    return this.def.producedFees === undefined ? noFees : this.def.producedFees(this.op)
  }
  target(): Uint8Array | undefined {
    return this.def.target?.(this.op)
  }
}

export const defineOperation = <Op>(def: OperationDef<Op>): TypedOperation<Op> => ({
  opType: def.opType,
  name: def.name,
  encode: def.encode,
  bind: (op) => new BoundOp(def, op, def.encode(op)),
  // Canonical means one form: bytes that decode but re-encode differently are refused, so two
  // nodes can never lock or hash different bytes for the same operation. The re-encoding, equal
  // to the input, is the operation's own copy of its bytes (as `bind` keeps the encoder's output),
  // so the input is not copied a second time.
  decode: (bytes) => {
    try {
      const decoded = def.decode(bytes)
      if (Either.isLeft(decoded)) return Either.left(decoded.left)
      const op = decoded.right
      const again = def.encode(op)
      return bytesEqual(again, bytes) ? Either.right(new BoundOp(def, op, again)) : Either.left(malformed(def.opType, "not the canonical encoding"))
    } catch (e) {
      return Either.left(malformed(def.opType, `decoder threw: ${e instanceof Error ? e.message : String(e)}`))
    }
  },
})
