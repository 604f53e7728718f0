// `bun run cli <group> [<sub>] ...args`: resolves the longest matching command module under
// runtime/cli/commands/ (e.g. `crypto vdf prove` -> commands/crypto/vdf.ts with ["prove", ...]).
// Each command module exports `run(args): Promise<number>` returning the process exit code.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { usageError, type CommandModule } from "./command.ts"

const commandsDir = join(import.meta.dir, "commands")

const resolve = (argv: ReadonlyArray<string>): { file: string; rest: ReadonlyArray<string> } | undefined => {
  for (let depth = Math.min(argv.length, 3); depth >= 1; depth--) {
    const parts = argv.slice(0, depth)
    if (parts.some((p) => !/^[a-z0-9-]+$/.test(p))) continue
    const file = join(commandsDir, ...parts) + ".ts"
    if (existsSync(file)) return { file, rest: argv.slice(depth) }
  }
  return undefined
}

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const found = resolve(argv)
  if (found === undefined) {
    return usageError(
      argv.length === 0 ? "missing command" : `unknown command: ${argv.join(" ")}`,
      "usage: bun run cli <group> <command> [args...]  (groups: node, crypto)"
    )
  }
  const mod = (await import(found.file)) as CommandModule
  return mod.run(found.rest)
}

process.exitCode = await main(process.argv.slice(2))
