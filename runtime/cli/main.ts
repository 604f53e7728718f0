// `bun run cli <group> <command> ...args`: see app.ts for the commands and groups.ts to add a group.
import * as Effect from "effect/Effect"
import { runCli } from "./app.ts"

process.exitCode = await Effect.runPromise(runCli(process.argv))
