// The CLI: the registered groups (groups.ts) under one root command, parsed by @effect/cli;
// every outcome becomes an exit status (0 ok, 1 a negative answer or a failed command,
// 2 bad arguments, with `error: <reason>` and a usage line on stderr).
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as BunFileSystem from "@effect/platform-bun/BunFileSystem"
import * as BunPath from "@effect/platform-bun/BunPath"
import * as BunTerminal from "@effect/platform-bun/BunTerminal"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE } from "./command.ts"
import { cliConsole } from "./console.ts"
import type { CliError } from "./errors.ts"
import { group } from "./group.ts"
import { cliGroupsWith } from "./groups.ts"
import type { Intrinsic } from "../../intrinsics/contract/index.ts"
import { helpText } from "./plain-text.ts"
import { EXECUTABLE, locate, usageLines } from "./usage.ts"
import { NODE_VERSION } from "../kernel/version.ts"

const rootWith = (plugins: ReadonlyArray<Intrinsic>) => group("quilbun", "Command-line client for a quilbun node and its cryptography.", cliGroupsWith(plugins))
type Root = ReturnType<typeof rootWith>

// Only the services @effect/cli needs (not BunContext, whose worker and process layers cost start-up).
const CliEnvironment = Layer.mergeAll(
  BunFileSystem.layer,
  BunPath.layer,
  BunTerminal.layer,
  // The built-in options (--completions, --log-level, --wizard) work but would crowd every help page.
  CliConfig.layer({ showBuiltIns: false }),
)

const stderr = (lines: ReadonlyArray<string>): Effect.Effect<void> => Effect.sync(() => process.stderr.write(lines.map((l) => `${l}\n`).join("")))

const usageFailure = (root: Root, args: ReadonlyArray<string>, reason: string): Effect.Effect<number> => {
  const located = locate(root, args)
  const why = located.unknown !== undefined ? `unknown command: ${[...located.path, located.unknown].join(" ")}` : reason
  return Effect.as(stderr([`error: ${why}`, ...usageLines(located)]), EXIT_USAGE)
}

const report = (root: Root, args: ReadonlyArray<string>, error: CliError | ValidationError.ValidationError): Effect.Effect<number> => {
  if (ValidationError.isValidationError(error)) return usageFailure(root, args, helpText(error.error))
  switch (error._tag) {
    case "UsageError":
      return usageFailure(root, args, error.reason)
    case "CommandFailed":
      return Effect.as(stderr([`error: ${error.reason}`]), EXIT_NEGATIVE)
    case "NegativeAnswer":
      return Effect.succeed(EXIT_NEGATIVE)
  }
}

/** Runs the CLI on `process.argv` (runtime and script first) with the plugins' groups mounted too; answers the exit status. */
export const runCli = (argv: ReadonlyArray<string>, plugins: ReadonlyArray<Intrinsic> = []): Effect.Effect<number> => {
  const args = argv.slice(2)
  const root = rootWith(plugins)
  const run = Command.run(root.command, { name: "quilbun", version: NODE_VERSION, executable: EXECUTABLE })
  return Console.consoleWith((base) =>
    run(argv).pipe(
      Effect.withConsole(cliConsole(base, process.stdout.isTTY === true)),
      Effect.as(EXIT_OK),
      Effect.catchAll((error) => report(root, args, error)),
      Effect.provide(CliEnvironment),
    ),
  )
}
