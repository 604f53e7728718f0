// One bundle's writes over the frame overlay (spec §11.2 "per-bundle atomicity"). All or nothing:
// the host folds it into the frame when every request of the bundle validated and applied, and
// discards it otherwise; either way it is closed afterwards and refuses further writes.
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Either from "effect/Either"
import {
  type AccessSet,
  AccessViolation,
  type AtomRef,
  type Lookup,
  OverlayClosed,
  present,
  Removed,
  type StateView,
  type ViewError,
  type WriteMode,
} from "../../../intrinsics/contract/index.ts"
import { atomKey, checkId, checkPut, checkRemove, copyBytes, copyLookup, copyRef } from "./write-rules.ts"

/** A staged write: the atom and its state after the write. */
export interface StagedWrite {
  readonly ref: AtomRef
  readonly next: Lookup
  /** The atom's map key (atomKey), computed once per write. */
  readonly key: string
}

/** What a bundle overlay sits on: the frame overlay (an interface, so the two files do not import each other). */
export interface BundleParent {
  /** The newest state below the bundle, uncopied (the frame's own answer). */
  peekByKey(ref: AtomRef, key: string): Lookup
  /** The bundle is done: its staged writes (fold) or `undefined` (discard). */
  closeBundle(bundle: BundleOverlay, writes: Iterable<StagedWrite> | undefined): void
}

export class BundleOverlay implements StateView {
  readonly #staged = new Map<string, StagedWrite>()
  #closed = false

  /**
   * @param parent the frame overlay: read without a copy (so an answer is copied before it
   *   leaves this overlay), and told when the bundle is folded or discarded. An object rather than
   *   two closures per bundle.
   * @param checkAccess test builds: `forOperation` views refuse writes outside the access set
   */
  constructor(
    private readonly parent: BundleParent,
    private readonly checkAccess: boolean,
  ) {}

  get isOpen(): boolean {
    return !this.#closed
  }

  /** Newest state: this bundle's staged write, else the frame's. A closed bundle shows the frame only. */
  readonly get = (ref: AtomRef): Lookup => copyLookup(this.#peek(ref, atomKey(ref)))

  /** The newest state uncopied: for the write rules, which read its tag only. */
  #peek(ref: AtomRef, key: string): Lookup {
    const staged = this.#closed ? undefined : this.#staged.get(key)
    return staged === undefined ? this.parent.peekByKey(ref, key) : staged.next
  }

  readonly put = (ref: AtomRef, value: Uint8Array, mode: WriteMode): Either.Either<void, ViewError> => {
    return this.#write(ref, mode, present(copyBytes(value)))
  }

  readonly remove = (ref: AtomRef): Either.Either<void, ViewError> => {
    return this.#write(ref, "remove", Removed)
  }

  // The rule by mode rather than a closure per write (this runs for every write of every operation).
  #write(ref: AtomRef, mode: WriteMode | "remove", next: Lookup): Either.Either<void, ViewError> {
    if (this.#closed) return Either.left(new OverlayClosed({ reason: "the bundle was folded or discarded" }))
    const badId = checkId(ref)
    if (Either.isLeft(badId)) return badId
    const key = atomKey(ref)
    const current = this.#peek(ref, key)
    const refused = mode === "remove" ? checkRemove(ref, current) : checkPut(ref, current, mode)
    if (Either.isLeft(refused)) return refused
    this.#staged.set(key, { ref: copyRef(ref), next, key })
    return Either.void
  }

  /**
   * The view one operation applies through. In test builds (checkAccess) a write to an id outside
   * `access.writes` fails with AccessViolation, which catches incomplete write sets — and so
   * incomplete locks — before they reach a network (spec §11.1, §11.3).
   */
  forOperation(access: AccessSet): StateView {
    if (!this.checkAccess) return this
    const allowed = new Set(access.writes.map((id) => bytesToHex(id)))
    const guard = (ref: AtomRef): Either.Either<void, AccessViolation> =>
      allowed.has(bytesToHex(ref.id)) ? Either.void : Either.left(new AccessViolation({ ref: copyRef(ref) }))
    return {
      get: (ref) => this.get(ref),
      put: (ref, value, mode) => Either.flatMap(guard(ref), () => this.put(ref, value, mode)),
      remove: (ref) => Either.flatMap(guard(ref), () => this.remove(ref)),
    }
  }

  /** Appends this bundle's writes to the frame overlay and closes the bundle. */
  fold(): Either.Either<void, OverlayClosed> {
    if (this.#closed) return Either.left(new OverlayClosed({ reason: "the bundle was already folded or discarded" }))
    this.#closed = true
    // Handed over as they are: a closed bundle never reads or writes its staged map again.
    this.parent.closeBundle(this, this.#staged.values())
    return Either.void
  }

  /** Drops this bundle's writes and closes it; a no-op on a closed bundle. */
  discard(): void {
    if (this.#closed) return
    this.#closed = true
    this.#staged.clear()
    this.parent.closeBundle(this, undefined)
  }
}
