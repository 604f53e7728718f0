// The reel's canonical chain in the clock store. Key = (filter, kind, n): kind 0x00 holds the
// canonical frame at number n (its time-reel id and selector, which cost ~12 ms of TS Poseidon to
// recompute, and its canonical bytes, so hashes and signatures are recomputable, §0.1), kind 0x01
// (n = 0) the head pointer. A frame whose body already lives in a `FrameBodySource` (the global
// consensus's committed chain) is stored once: the row then holds only the ids (store format 2). Every head change is one commit: the new canonical frames, the
// deletions, the caller's materialize/revert writes and the head pointer together (design.md §5).
import { Schema } from "effect"
import { bytesEqual } from "../consensus/core/messages/fields.ts"
import { type Bucket, defineRepository, KeyCodec, type RepositoryDef, type StoreService, ValueCodec, type WriteTx } from "../../runtime/store/index.ts"
import type { ReelKind } from "./reel-kind.ts"
import type { ReelFrame } from "./reel-frame.ts"

const FRAME = Uint8Array.of(0x00)
const HEAD = Uint8Array.of(0x01)

const reelKey = KeyCodec.tuple(KeyCodec.bytes, KeyCodec.fixedBytes(1), KeyCodec.u64)
type ReelKey = readonly [Uint8Array, Uint8Array, bigint]

/** A stored canonical frame: the two Poseidon-derived ids, and its canonical bytes unless a source holds them. */
const StoredFrame = Schema.Struct({
  frameId: Schema.String,
  selector: Schema.Uint8ArrayFromSelf,
  bytes: Schema.optional(Schema.Uint8ArrayFromSelf),
})
type StoredFrame = typeof StoredFrame.Type

/**
 * Where canonical frame bodies already live durably, read in the reel's own store: the global
 * consensus's committed chain (frame ‖ QC rows). `frame(n)` answers the body stored under number n
 * with its selector. The reel keeps a body itself only when the source does not have that exact frame.
 */
export interface FrameBodySource<F extends ReelFrame> {
  readonly frame: (n: bigint) => { readonly frame: F; readonly selector: Uint8Array } | undefined
}

const frameRows = (kind: { readonly bucket: Bucket }): RepositoryDef<ReelKey, StoredFrame> => ({
  bucket: kind.bucket,
  key: reelKey,
  value: ValueCodec.schema(StoredFrame),
})
const frameKeyOf = (filter: Uint8Array, n: bigint): ReelKey => [filter, FRAME, n]

/** A frame with its id and selector, as the reel hands it to the store and gets it back. */
export interface CanonicalFrame<F extends ReelFrame> {
  readonly frame: F
  readonly frameId: string
  readonly selector: Uint8Array
}

export const HeadPointer = Schema.Struct({
  frameNumber: Schema.BigInt,
  selector: Schema.Uint8ArrayFromSelf,
  frameId: Schema.String,
})
export type HeadPointer = typeof HeadPointer.Type

/** Writes in the same transaction as the frames (state materialization, §2.6; reverts, §2.5). */
export interface ReelStoreHooks<F extends ReelFrame> {
  readonly materialize?: (tx: WriteTx, frame: F) => void
  readonly revert?: (tx: WriteTx, frame: F) => void
}

export interface HeadChange<F extends ReelFrame> {
  /** Newly canonical frames, oldest first. */
  readonly write: ReadonlyArray<CanonicalFrame<F>>
  /** Frames leaving the canonical chain, newest first (their numbers are deleted unless rewritten). */
  readonly revert: ReadonlyArray<F>
  readonly head: HeadPointer
}

export class ReelStore<F extends ReelFrame> {
  private readonly frames
  private readonly heads
  constructor(
    private readonly store: StoreService,
    private readonly kind: ReelKind<F>,
    private readonly hooks: ReelStoreHooks<F>,
    private readonly bodies?: FrameBodySource<F>,
  ) {
    const headDef = defineRepository({ bucket: kind.bucket, key: reelKey, value: ValueCodec.schema(HeadPointer) })
    this.frames = store.repository(frameRows(kind))
    this.heads = store.repository(headDef)
  }

  private frameKey(n: bigint): ReelKey {
    return frameKeyOf(this.kind.filter, n)
  }

  /** True when the source holds exactly this frame (same number and selector), so the row needs no body. */
  private sourceHolds(n: bigint, selector: Uint8Array): boolean {
    const held = this.bodies?.frame(n)
    return held !== undefined && bytesEqual(held.selector, selector)
  }

  private get headKey(): ReelKey {
    return [this.kind.filter, HEAD, 0n]
  }

  private decode(stored: StoredFrame, n: bigint): CanonicalFrame<F> {
    if (stored.bytes === undefined) {
      const held = this.bodies?.frame(n)
      if (held === undefined || !bytesEqual(held.selector, stored.selector)) {
        throw new Error(`stored ${this.kind.kind} frame ${n}: its body is not in the committed chain`)
      }
      return { frame: held.frame, frameId: stored.frameId, selector: stored.selector }
    }
    const frame = this.kind.decode(stored.bytes)
    if (typeof frame === "string") throw new Error(`stored ${this.kind.kind} frame ${n} does not decode: ${frame}`)
    return { frame, frameId: stored.frameId, selector: stored.selector }
  }

  /** One commit per head change. */
  commitHeadChange(change: HeadChange<F>) {
    return this.store.commit((tx) => {
      for (const frame of change.revert) {
        this.hooks.revert?.(tx, frame)
        this.frames.delete(tx, this.frameKey(frame.header.frameNumber))
      }
      for (const { frame, frameId, selector } of change.write) {
        this.hooks.materialize?.(tx, frame)
        const n = frame.header.frameNumber
        const row: StoredFrame = this.sourceHolds(n, selector) ? { frameId, selector } : { frameId, selector, bytes: this.kind.encode(frame) }
        this.frames.put(tx, this.frameKey(n), row)
      }
      this.heads.put(tx, this.headKey, change.head)
    })
  }

  head(): HeadPointer | undefined {
    return this.heads.get(this.headKey)
  }

  entry(n: bigint): CanonicalFrame<F> | undefined {
    const stored = this.frames.get(this.frameKey(n))
    return stored === undefined ? undefined : this.decode(stored, n)
  }

  frame(n: bigint): F | undefined {
    return this.entry(n)?.frame
  }

  /** Canonical frames with from ≤ number ≤ to, ascending, at most `limit`. */
  range(from: bigint, to: bigint, limit = Number.POSITIVE_INFINITY): Array<F> {
    return this.entries(from, to, limit).map((e) => e.frame)
  }

  entries(from: bigint, to: bigint, limit = Number.POSITIVE_INFINITY): Array<CanonicalFrame<F>> {
    if (to < from) return []
    const gte: ReelKey = this.frameKey(from)
    const lt: ReelKey = to >= (1n << 64n) - 1n ? [this.kind.filter, HEAD, 0n] : this.frameKey(to + 1n)
    return this.frames.range({ gte, lt, ...(Number.isFinite(limit) ? { limit } : {}) }).map((e) => this.decode(e.value, e.key[2]))
  }

  /** The last `count` canonical frames with number ≤ `to`, ascending. */
  lastEntries(to: bigint, count: number): Array<CanonicalFrame<F>> {
    return this.frames
      .range({ gte: this.frameKey(0n), lt: this.frameKey(to + 1n), reverse: true, limit: count })
      .map((e) => this.decode(e.value, e.key[2]))
      .reverse()
  }
}

/**
 * Store format 1 → 2: drops the body of every stored canonical frame the source holds (same number
 * and selector), keeping its ids; rows the source lacks (genesis, frames past its head) keep theirs.
 * Runs inside the migration's write transaction. Returns [bodies dropped, bodies kept].
 */
export const dropBodiesHeldBy = <F extends ReelFrame>(
  store: StoreService,
  tx: WriteTx,
  kind: Pick<ReelKind<F>, "bucket" | "filter">,
  bodies: FrameBodySource<F>,
): readonly [number, number] => {
  const rows = store.repository(frameRows(kind))
  let dropped = 0
  let kept = 0
  const all = rows.range({ gte: frameKeyOf(kind.filter, 0n), lt: [kind.filter, HEAD, 0n] })
  for (const { key, value } of all) {
    if (value.bytes === undefined) continue
    const held = bodies.frame(key[2])
    if (held !== undefined && bytesEqual(held.selector, value.selector)) {
      rows.put(tx, key, { frameId: value.frameId, selector: value.selector })
      dropped++
    } else {
      kept++
    }
  }
  return [dropped, kept]
}
