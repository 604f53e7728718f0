// The usage line printed with a bad-arguments error: for the deepest group or command that the
// arguments name, e.g. `usage: bun run cli crypto vdf <command>` (commands: prove, verify).
import * as Descriptor from "@effect/cli/CommandDescriptor"
import * as Usage from "@effect/cli/Usage"
import * as HashSet from "effect/HashSet"
import { type CliCommand, type CliGroup, type CliMember, isGroup } from "./group.ts"
import { helpText } from "./plain-text.ts"

export const EXECUTABLE = "bun run cli"

const nameOf = (member: CliMember): string => (isGroup(member) ? member.name : (HashSet.values(Descriptor.getNames(member.descriptor)).next().value ?? ""))

export interface Located {
  /** The names from the root to the deepest group or command the arguments name. */
  readonly path: ReadonlyArray<string>
  readonly member: CliMember
  /** The argument where a command name was expected but none matched, if any. */
  readonly unknown: string | undefined
}

export const locate = (root: CliGroup, args: ReadonlyArray<string>): Located => {
  let member: CliMember = root
  const path: Array<string> = []
  for (const arg of args) {
    if (!isGroup(member)) break
    const next: CliMember | undefined = member.members.find((m) => nameOf(m) === arg)
    if (next === undefined) return { path, member, unknown: arg.startsWith("-") ? undefined : arg }
    member = next
    path.push(arg)
  }
  return { path, member, unknown: undefined }
}

const commandUsage = (command: CliCommand): string => helpText(Usage.getHelp(Descriptor.getUsage(command.descriptor)))

export const usageLines = ({ path, member }: Located): ReadonlyArray<string> => {
  const prefix = [EXECUTABLE, ...path.slice(0, -1)].join(" ")
  const help = `see: ${[EXECUTABLE, ...path, "--help"].join(" ")}`
  if (!isGroup(member)) return [`usage: ${prefix} ${commandUsage(member)}`, help]
  const here = [EXECUTABLE, ...path].join(" ")
  return [`usage: ${here} <command>  (commands: ${member.members.map(nameOf).join(", ")})`, help]
}
