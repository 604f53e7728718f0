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
import { BundleOverlay, type StagedWrite } from "./bundle-overlay.ts"
import type { Change } from "./changes.ts"
import type { CommittedSnapshot } from "./committed.ts"
import { atomKey, checkId, checkPut, checkRemove, copyLookup, copyRef } from "./write-rules.ts"

export interface OverlayOptions {
  /** Test builds: operation views assert writes stay inside the declared access set. */
  readonly checkAccess: boolean
}

interface FrameEntry {
  readonly ref: AtomRef
  /** Committed state when the frame first staged the atom (for change records and revert). */
  readonly prior: Lookup
  next: Lookup
}

export class FrameOverlay implements StateView {
  readonly #staged = new Map<string, FrameEntry>()
  /**
   * Committed reads of this frame, by atom key. The snapshot answers the same for the whole frame
   * (its contract), so each atom is read from it once: an upsert otherwise reads it twice (the
   * write rule's check and the prior when staged). Values are copied out, never handed over.
   */
  readonly #committedReads = new Map<string, Lookup>()
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
    const staged = this.#staged.get(key)
    return staged === undefined ? this.#committedRead(ref, key) : staged.next
  }

  #committedRead(ref: AtomRef, key: string): Lookup {
    const cached = this.#committedReads.get(key)
    if (cached !== undefined) return cached
    // The snapshot's answer is ours to keep (its contract); it never leaves this frame uncopied.
    const read = this.committed.read(ref)
    this.#committedReads.set(key, read)
    return read
  }

  readonly put = (ref: AtomRef, value: Uint8Array, mode: WriteMode): Either.Either<void, ViewError> => {
    return this.#write(ref, (current) => checkPut(ref, current, mode), present(value.slice()))
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
    const entry = this.#staged.get(key)
    // The prior is the cached committed read (never mutated here; copied when changes are read).
    if (entry === undefined) this.#staged.set(key, { ref: owned ? ref : copyRef(ref), prior: this.#committedRead(ref, key), next })
    else entry.next = next
  }

  /** Opens the next bundle; refused while another is open (bundles apply sequentially, spec §11.2). */
  openBundle(): Either.Either<BundleOverlay, OverlayClosed> {
    if (this.#taken) return Either.left(new OverlayClosed({ reason: "the frame's changes were taken" }))
    if (this.#bundle !== undefined) return Either.left(new OverlayClosed({ reason: "another bundle is still open" }))
    const bundle = new BundleOverlay(
      (ref, key) => this.peekByKey(ref, key),
      (writes: Iterable<StagedWrite> | undefined) => {
        this.#bundle = undefined
        // The bundle's staged refs and values are its own copies, and it drops them when folded.
        if (writes !== undefined) for (const w of writes) this.#stage(w.ref, w.next, w.key, true)
      },
      this.options.checkAccess,
    )
    this.#bundle = bundle
    return Either.right(bundle)
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
    this.#staged.clear()
    this.#committedReads.clear()
    return out
  }

  #sorted(copy: boolean): Array<Change> {
    // The default sort compares UTF-16 code units, which for these keys (ASCII hex) is byte
    // order: the same order as comparing with `<`, without a comparator call per comparison.
    const keys = [...this.#staged.keys()].sort()
    const out: Array<Change> = new Array(keys.length)
    for (let i = 0; i < keys.length; i++) {
      const e = this.#staged.get(keys[i] as string) as FrameEntry
      out[i] = copy ? { ref: copyRef(e.ref), prior: copyLookup(e.prior), next: copyLookup(e.next) } : { ref: e.ref, prior: e.prior, next: e.next }
    }
    return out
  }
}
