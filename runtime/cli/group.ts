// A command group (`node`, `crypto`, later one per intrinsic): a named command whose members are
// commands or nested groups. Groups are contributed as values to groups.ts. The group keeps its
// members beside the @effect/cli command because @effect/cli does not expose nested subcommands,
// and the usage line for a bad argument (usage.ts) needs to walk them.
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { type CliError, UsageError } from "./errors.ts"

/** Any CLI command: every handler fails only with CliError and needs no services. */
export type CliCommand = Command.Command<string, never, CliError, unknown>

export interface CliGroup {
  readonly _tag: "CliGroup"
  readonly name: string
  readonly command: CliCommand
  readonly members: ReadonlyArray<CliMember>
}

export type CliMember = CliGroup | CliCommand

type NonEmpty<A> = readonly [A, ...Array<A>]

// Command is invariant in its parsed-argument type; the registration only needs the name,
// the descriptor and the handler, so a command's own argument type is erased here.
export const erase = <Name extends string, A>(command: Command.Command<Name, never, CliError, A>): CliCommand => command as unknown as CliCommand

export const isGroup = (member: CliMember): member is CliGroup => "_tag" in member && member._tag === "CliGroup"

const commandOf = (member: CliMember): CliCommand => (isGroup(member) ? member.command : member)

/**
 * A group of commands. Run without a command it fails with "missing command" (exit 2 with
 * usage) rather than @effect/cli's default of printing help with status 0.
 */
export const group = (name: string, description: string, members: NonEmpty<CliMember>): CliGroup => {
  const [first, ...rest] = members
  return {
    _tag: "CliGroup",
    name,
    members,
    command: erase(
      Command.make(name, {}, () => Effect.fail(new UsageError({ reason: "missing command" }))).pipe(
        Command.withDescription(description),
        Command.withSubcommands([commandOf(first), ...rest.map(commandOf)]),
      ),
    ),
  }
}
