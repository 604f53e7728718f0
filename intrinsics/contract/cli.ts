// The CLI commands an intrinsic contributes (spec §11.1 "CLI subcommands", design.md §7): one
// group mounted as `bun run cli <name> …`. The contract sees only @effect/cli, not runtime/cli:
// the runtime adapts a contribution into its own group type (runtime/cli/group.ts) at the
// registration point (runtime/cli/groups.ts) and maps IntrinsicCliFailure onto its exit codes.
import type * as Command from "@effect/cli/Command"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { BuildEnv } from "./builders.ts"

/** `usage: true` → bad arguments (exit 2 with the usage line); otherwise the command failed (exit 1). */
export class IntrinsicCliFailure extends Data.TaggedError("IntrinsicCliFailure")<{ readonly reason: string; readonly usage: boolean }> {}

/**
 * The admin API as an intrinsic's commands see it: paths are relative to the intrinsic's own
 * prefix (`/v1/intrinsics/<name>/`), answers are parsed JSON. Commands talk to the node only
 * through it, never to the store (spec §11.1).
 */
export interface IntrinsicApiClient {
  readonly get: (path: string, query?: Readonly<Record<string, string>>) => Effect.Effect<unknown, IntrinsicCliFailure>
  /** Needs the bearer token; the runtime's client adds it. */
  readonly post: (path: string, body: unknown) => Effect.Effect<unknown, IntrinsicCliFailure>
  /**
   * Submits a canonical MessageBundle (`POST /v1/bundles`) and, unless `options.wait` is false, waits
   * until the node reports it committed; a rejection (or no commit in time) fails the command.
   */
  readonly submitBundle: (bundle: Uint8Array, options?: { readonly wait: boolean }) => Effect.Effect<void, IntrinsicCliFailure>
}

/** A command with its parsed-argument type erased; it needs no services and fails only with IntrinsicCliFailure. */
export type IntrinsicCliCommand = Command.Command<string, never, IntrinsicCliFailure, unknown>

export interface IntrinsicCliGroup {
  readonly _tag: "IntrinsicCliGroup"
  readonly name: string
  readonly description: string
  readonly members: readonly [IntrinsicCliMember, ...Array<IntrinsicCliMember>]
}

export type IntrinsicCliMember = IntrinsicCliCommand | IntrinsicCliGroup

export interface CliEnv {
  readonly api: IntrinsicApiClient
  readonly build: BuildEnv
  /** The node's data directory as the CLI resolved it (absolute): where client files live (the token wallet). */
  readonly dataDir: string
}

/** The intrinsic's top-level group; the runtime names it after the manifest, so two intrinsics cannot mount one name. */
export interface CliGroupContent {
  readonly description: string
  readonly members: readonly [IntrinsicCliMember, ...Array<IntrinsicCliMember>]
}

export type CliContribution = (env: CliEnv) => CliGroupContent

// Command is invariant in its parsed-argument type; the registration only needs the name, the
// descriptor and the handler, so each command's own argument type is erased here (as runtime/cli does).
export const eraseCliCommand = <Name extends string, A>(command: Command.Command<Name, never, IntrinsicCliFailure, A>): IntrinsicCliCommand =>
  command as unknown as IntrinsicCliCommand
