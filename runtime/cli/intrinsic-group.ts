// Adapts an intrinsic's CLI contribution (intrinsics/contract cli.ts) into the runtime's group type,
// so groups.ts mounts it like any other group: IntrinsicCliFailure becomes UsageError (exit 2 with
// the usage line) or CommandFailed (exit 1); the group is named after the manifest.
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import type { CliEnv, Intrinsic, IntrinsicCliFailure, IntrinsicCliGroup, IntrinsicCliMember } from "../../intrinsics/contract/index.ts"
import { type CliError, CommandFailed, UsageError } from "./errors.ts"
import { type CliCommand, type CliGroup, type CliMember, group } from "./group.ts"

const toCliError = (failure: IntrinsicCliFailure): CliError =>
  failure.usage ? new UsageError({ reason: failure.reason }) : new CommandFailed({ reason: failure.reason })

const isIntrinsicGroup = (member: IntrinsicCliMember): member is IntrinsicCliGroup => "_tag" in member && member._tag === "IntrinsicCliGroup"

const adapt = (member: IntrinsicCliMember): CliMember => {
  if (isIntrinsicGroup(member)) {
    const [first, ...rest] = member.members
    return group(member.name, member.description, [adapt(first), ...rest.map(adapt)])
  }
  // The handler's IntrinsicCliFailure is mapped away here; transformHandler's type still lists it
  // (it unions the old and new error types), so the erased command is asserted like group.ts's erase.
  return Command.transformHandler(member, (effect) => Effect.mapError(effect, toCliError)) as unknown as CliCommand
}

/** The intrinsic's group, or undefined when it contributes no commands. */
export const intrinsicGroup = (intrinsic: Intrinsic, env: CliEnv): CliGroup | undefined => {
  const content = intrinsic.cli?.(env)
  if (content === undefined) return undefined
  const [first, ...rest] = content.members
  return group(intrinsic.manifest.name, content.description, [adapt(first), ...rest.map(adapt)])
}
