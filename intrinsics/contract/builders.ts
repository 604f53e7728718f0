// Client builders (spec §11.1 "client builders"): the one place an intrinsic turns user intent
// into canonical operation bytes, shared by its CLI commands, its HTTP routes and the tests, so
// the client cannot drift from the protocol (the reference's §7.4 failures).
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { CryptoServices } from "./exec-ctx.ts"
import type { AtomRef, Lookup } from "./state-view.ts"

export class BuildError extends Data.TaggedError("BuildError")<{ readonly reason: string }> {}

/** What a builder may use: crypto, the frame it proves against, and reads of committed state (through the API). */
export interface BuildEnv {
  readonly crypto: CryptoServices
  readonly frameNumber: bigint
  readonly read: (ref: AtomRef) => Effect.Effect<Lookup, BuildError>
  /**
   * BLS48-581 signing with a 73-byte secret key; the scheme signs `domain ‖ message` (crypto.md §3),
   * the answer is a 74-byte signature. Here, not in CryptoServices: operations verify, only clients
   * sign. Optional like CryptoServices.kzgCommit: a builder that needs it fails with a BuildError
   * when the host binds none; it may throw on a malformed key.
   */
  readonly blsSign?: (secretKey: Uint8Array, message: Uint8Array, domain: Uint8Array) => Uint8Array
}

export interface Builder<Args> {
  readonly description: string
  /** The canonical operation bytes (what goes into a MessageRequest). */
  readonly build: (args: Args, env: BuildEnv) => Effect.Effect<Uint8Array, BuildError>
}

/** An intrinsic's builder table. `Builder<never>` accepts a builder of any argument type. */
export type Builders = Readonly<Record<string, Builder<never>>>
