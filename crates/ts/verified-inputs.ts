import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect } from "effect"

/**
 * Inputs of a deterministic check that already passed (a signature, an aggregate, a VDF proof), keyed
 * by SHA-256 of a kind byte ‖ the length-prefixed input bytes, so the same bytes are checked once
 * however many callers (code paths, or nodes sharing one process) ask. Only successes are recorded: a
 * verdict is a pure function of the bytes, so a remembered success is exactly what a recomputation
 * would return. Bounded: the least recently used entries are forgotten first.
 */
export class VerifiedInputs {
  private readonly keys = new Set<string>()

  constructor(readonly capacity = 4_096) {}

  /** The cache key of `parts` under `kind` (length-prefixed, so no two tuples share an encoding). */
  static key(kind: number, parts: ReadonlyArray<Uint8Array>): string {
    const total = parts.reduce((n, p) => n + 4 + p.length, 1)
    const out = new Uint8Array(total)
    const view = new DataView(out.buffer)
    out[0] = kind
    let at = 1
    for (const part of parts) {
      view.setUint32(at, part.length, false)
      out.set(part, at + 4)
      at += 4 + part.length
    }
    return bytesToHex(sha256(out))
  }

  has(key: string): boolean {
    if (!this.keys.has(key)) return false
    // Refresh: recently confirmed inputs are the ones likely to be asked about again.
    this.keys.delete(key)
    this.keys.add(key)
    return true
  }

  /** `check` unless `key` already verified; a `true` verdict is remembered. */
  verifyOnce<E>(key: string, check: Effect.Effect<boolean, E>): Effect.Effect<boolean, E> {
    return Effect.suspend(() => (this.has(key) ? Effect.succeed(true) : Effect.tap(check, (ok) => (ok ? Effect.sync(() => this.add(key)) : Effect.void))))
  }

  add(key: string): void {
    this.keys.delete(key)
    this.keys.add(key)
    while (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next()
      if (oldest.done === true) break
      this.keys.delete(oldest.value)
    }
  }

  get size(): number {
    return this.keys.size
  }
}
