// What an intrinsic sees of the world while it validates and applies an operation (spec §11.1
// "the view", §11.2): hypergraph atoms by id, with the staged writes of earlier operations in the
// bundle and earlier bundles in the frame already visible. No LMDB, clock, network or randomness
// is reachable from here; everything an operation may depend on is in the view or in ExecCtx.
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Data from "effect/Data"
import type * as Either from "effect/Either"

/** Vertices and hyperedges are separate sets (spec §1.4); the same id may name one of each. */
export type AtomKind = "vertex" | "hyperedge"

export interface AtomRef {
  readonly kind: AtomKind
  /** 64 bytes, `domain ‖ address`. */
  readonly id: Uint8Array
}

export const vertex = (id: Uint8Array): AtomRef => ({ kind: "vertex", id })
export const hyperedge = (id: Uint8Array): AtomRef => ({ kind: "hyperedge", id })

/**
 * The answer to a read. `Removed` is distinct from `Absent`: a removed id can never be written
 * again (2P2P sets, spec §3.2), and a removal staged earlier in the frame answers `Removed` too
 * (spec §11.3 #1, fixing the reference's invisible staged removals).
 */
export type Lookup = { readonly _tag: "Present"; readonly value: Uint8Array } | { readonly _tag: "Removed" } | { readonly _tag: "Absent" }

export const Absent: Lookup = { _tag: "Absent" }
export const Removed: Lookup = { _tag: "Removed" }
export const present = (value: Uint8Array): Lookup => ({ _tag: "Present", value })

/**
 * How a put treats what is there (spec §11.1): `create` needs the id absent (coins, pendings,
 * spent markers, metadata vertices), `update` needs it present (reward record, reference pool),
 * `upsert` takes either (hypergraph vertices). No mode writes over a removal.
 */
export type WriteMode = "create" | "update" | "upsert"

/** The write rule refused: what was asked and what the view holds. */
export class WriteRefused extends Data.TaggedError("WriteRefused")<{
  readonly ref: AtomRef
  readonly mode: WriteMode | "remove"
  readonly found: Lookup["_tag"]
}> {
  override get message(): string {
    return `${this.mode} of ${this.ref.kind} ${bytesToHex(this.ref.id)} refused: it is ${this.found.toLowerCase()}`
  }
}

/** A write outside the operation's declared access set (checked in test builds, spec §11.1). */
export class AccessViolation extends Data.TaggedError("AccessViolation")<{ readonly ref: AtomRef }> {
  override get message(): string {
    return `write to ${this.ref.kind} ${bytesToHex(this.ref.id)} is outside the operation's declared write set`
  }
}

/** An id that is not 64 bytes (`domain ‖ address`); nothing can be stored under it. */
export class MalformedAtomId extends Data.TaggedError("MalformedAtomId")<{ readonly length: number }> {
  override get message(): string {
    return `an atom id is 64 bytes (domain ‖ address), got ${this.length}`
  }
}

/** A write to an overlay that no longer accepts writes (a folded or discarded bundle, or a frame with a bundle open). */
export class OverlayClosed extends Data.TaggedError("OverlayClosed")<{ readonly reason: string }> {}

export type ViewError = WriteRefused | AccessViolation | MalformedAtomId | OverlayClosed

export interface ReadView {
  /** The newest state of the atom: staged (bundle, then frame), else committed. Returned bytes are a copy. */
  readonly get: (ref: AtomRef) => Lookup
}

/**
 * Reads plus staged writes. Writes answer Either (yieldable inside Effect.gen) and are checked
 * against the write rule at once, so a refused write fails the operation where it happens.
 * There is deliberately no iteration over a domain: queries use plugin-local indexes built from
 * events (spec §11.1 "query"), and consensus code must not depend on scan order.
 */
export interface StateView extends ReadView {
  readonly put: (ref: AtomRef, value: Uint8Array, mode: WriteMode) => Either.Either<void, ViewError>
  /** Tombstones a present atom; removing an absent or removed atom is refused (spec §1.4 `Delete`). */
  readonly remove: (ref: AtomRef) => Either.Either<void, ViewError>
}
