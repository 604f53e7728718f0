// The reel's canonical chain in the clock store. Key = (filter, kind, n): kind 0x00 holds the
// canonical frame at number n (its canonical bytes, so hashes and signatures are recomputable, §0.1,
// next to its time-reel id and selector, which cost ~12 ms of TS Poseidon to recompute), kind 0x01
// (n = 0) the head pointer. Every head change is one commit: the new canonical frames, the
// deletions, the caller's materialize/revert writes and the head pointer together (design.md §5).
import { Schema } from "effect"
import { defineRepository, KeyCodec, type RepositoryDef, type StoreService, ValueCodec, type WriteTx } from "../../runtime/store/index.ts"
import type { ReelKind } from "./reel-kind.ts"
import type { ReelFrame } from "./reel-frame.ts"

const FRAME = Uint8Array.of(0x00)
const HEAD = Uint8Array.of(0x01)

const reelKey = KeyCodec.tuple(KeyCodec.bytes, KeyCodec.fixedBytes(1), KeyCodec.u64)
type ReelKey = readonly [Uint8Array, Uint8Array, bigint]

/** A stored canonical frame: its canonical bytes plus the two Poseidon-derived ids. */
const StoredFrame = Schema.Struct({
  frameId: Schema.String,
  selector: Schema.Uint8ArrayFromSelf,
  bytes: Schema.Uint8ArrayFromSelf,
})

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
  ) {
    const frameDef: RepositoryDef<ReelKey, typeof StoredFrame.Type> = { bucket: kind.bucket, key: reelKey, value: ValueCodec.schema(StoredFrame) }
    const headDef = defineRepository({ bucket: kind.bucket, key: reelKey, value: ValueCodec.schema(HeadPointer) })
    this.frames = store.repository(frameDef)
    this.heads = store.repository(headDef)
  }

  private frameKey(n: bigint): ReelKey {
    return [this.kind.filter, FRAME, n]
  }

  private get headKey(): ReelKey {
    return [this.kind.filter, HEAD, 0n]
  }

  private decode(stored: typeof StoredFrame.Type, n: bigint): CanonicalFrame<F> {
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
        this.frames.put(tx, this.frameKey(frame.header.frameNumber), { frameId, selector, bytes: this.kind.encode(frame) })
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
