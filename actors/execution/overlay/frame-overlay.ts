// The frame's staged state over committed state (spec §11.2). Bundles open one at a time over
// it, in frame order; the host reads the frame's ordered changes after the last bundle and
// commits them in one write transaction. The frame itself never writes committed state.
import * as Either from "effect/Either"
import {
  type AtomRef,
  type Lookup,
  OverlayClosed,
  present,
  Removed,
  type StateView,
  type ViewError,
  type WriteMode,
} from "../../../intrinsics/contract/index.ts"
import { type BundleParent, BundleOverlay, type StagedWrite } from "./bundle-overlay.ts"
import type { Change } from "./changes.ts"
import type { CommittedSnapshot } from "./committed.ts"
import { atomKey, checkId, checkPut, checkRemove, copyBytes, copyLookup, copyRef } from "./write-rules.ts"

export interface OverlayOptions {
  /** Test builds: operation views assert writes stay inside the declared access set. */
  readonly checkAccess: boolean
}

/**
 * One atom the frame has touched, by atom key: read (its committed state) and, once staged,
 * written. One map for both, so an upsert costs one entry: the write rule's read creates it, the
 * fold fills in `next`.
 */
interface FrameEntry {
  /** The staged atom (a private copy); undefined while the atom was only read. */
  ref: AtomRef | undefined
  /**
   * Committed state, read from the snapshot once per frame (it answers the same for the whole
   * frame, its contract): the write rules' `current` before the frame staged the atom, and the
   * prior of its change record (for revert). The snapshot's answer is kept as it is (it is ours).
   */
  readonly prior: Lookup
  /** The staged state; undefined while the atom was only read. */
  next: Lookup | undefined
}

export class FrameOverlay implements StateView, BundleParent {
  readonly #atoms = new Map<string, FrameEntry>()
  #bundle: BundleOverlay | undefined
  #taken = false

  constructor(
    private readonly committed: CommittedSnapshot,
    private readonly options: OverlayOptions = { checkAccess: false },
  ) {}

  readonly get = (ref: AtomRef): Lookup => copyLookup(this.peekByKey(ref, atomKey(ref)))

  /**
   * The newest state without a copy, for a caller that already computed the atom's key (the bundle
   * overlay). The answer is the frame's own: read it (a write rule looks at the tag only), copy it
   * before handing it further.
   */
  peekByKey(ref: AtomRef, key: string): Lookup {
    const entry = this.#entry(ref, key)
    return entry.next ?? entry.prior
  }

  #entry(ref: AtomRef, key: string): FrameEntry {
    const known = this.#atoms.get(key)
    if (known !== undefined) return known
    const entry: FrameEntry = { ref: undefined, prior: this.committed.read(ref), next: undefined }
    this.#atoms.set(key, entry)
    return entry
  }

  readonly put = (ref: AtomRef, value: Uint8Array, mode: WriteMode): Either.Either<void, ViewError> => {
    return this.#write(ref, (current) => checkPut(ref, current, mode), present(copyBytes(value)))
  }

  readonly remove = (ref: AtomRef): Either.Either<void, ViewError> => {
    return this.#write(ref, (current) => checkRemove(ref, current), Removed)
  }

  // Direct writes exist for host-staged changes outside bundles (e.g. per-frame records); while
  // a bundle is open they are refused, because the bundle validated against the frame as it was.
  #write(ref: AtomRef, rule: (current: Lookup) => Either.Either<void, ViewError>, next: Lookup): Either.Either<void, ViewError> {
    if (this.#taken) return Either.left(new OverlayClosed({ reason: "the frame's changes were taken" }))
    if (this.#bundle !== undefined) return Either.left(new OverlayClosed({ reason: "a bundle is open over this frame" }))
    return Either.map(
      Either.flatMap(checkId(ref), () => rule(this.peekByKey(ref, atomKey(ref)))),
      () => this.#stage(ref, next),
    )
  }

  /** `owned`: `ref` is already a private copy handed over by a folded bundle, kept as it is. */
  #stage(ref: AtomRef, next: Lookup, key: string = atomKey(ref), owned = false): void {
    const entry = this.#entry(ref, key)
    if (entry.ref === undefined) entry.ref = owned ? ref : copyRef(ref)
    entry.next = next
  }

  /** Opens the next bundle; refused while another is open (bundles apply sequentially, spec §11.2). */
  openBundle(): Either.Either<BundleOverlay, OverlayClosed> {
    if (this.#taken) return Either.left(new OverlayClosed({ reason: "the frame's changes were taken" }))
    if (this.#bundle !== undefined) return Either.left(new OverlayClosed({ reason: "another bundle is still open" }))
    const bundle = new BundleOverlay(this, this.options.checkAccess)
    this.#bundle = bundle
    return Either.right(bundle)
  }

  /** Called by the open bundle when it is folded (its writes) or discarded (`undefined`). */
  closeBundle(bundle: BundleOverlay, writes: Iterable<StagedWrite> | undefined): void {
    // Only the open bundle closes itself; anything else calling this changes nothing.
    if (bundle !== this.#bundle) return
    this.#bundle = undefined
    // The bundle's staged refs and values are its own copies, and it drops them when folded.
    if (writes !== undefined) for (const w of writes) this.#stage(w.ref, w.next, w.key, true)
  }

  /** Every staged atom once, sorted by (kind, id): identical on every node whatever the insertion order. */
  changes(): ReadonlyArray<Change> {
    return this.#sorted(true)
  }

  /**
   * `changes()` for the frame's last reader (the executor, once every bundle ran): the staged refs
   * and values are handed over instead of copied, and the frame is closed — it refuses bundles and
   * writes afterwards, so nothing it handed over is touched again. Every ref and value in it is
   * already a private copy (made when staged or read from the snapshot), referenced by one entry.
   */
  takeChanges(): ReadonlyArray<Change> {
    if (this.#bundle !== undefined) this.#bundle.discard()
    this.#taken = true
    const out = this.#sorted(false)
    this.#atoms.clear()
    return out
  }

  #sorted(copy: boolean): Array<Change> {
    // The default sort compares UTF-16 code units, which for these keys (ASCII) is byte order:
    // the same order as comparing with `<`, without a comparator call per comparison.
    const keys: Array<string> = []
    for (const [key, e] of this.#atoms) if (e.next !== undefined) keys.push(key)
    keys.sort()
    const out: Array<Change> = new Array(keys.length)
    for (let i = 0; i < keys.length; i++) {
      const e = this.#atoms.get(keys[i] as string) as FrameEntry
      // Staged entries have both (set together in #stage).
      const ref = e.ref as AtomRef
      const next = e.next as Lookup
      out[i] = copy ? { ref: copyRef(ref), prior: copyLookup(e.prior), next: copyLookup(next) } : { ref, prior: e.prior, next }
    }
    return out
  }
}
