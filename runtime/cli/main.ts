// `bun run cli <group> <command> ...args`: see app.ts for the commands and groups.ts to add a group.
// The configured plugins (config file of the data dir, QUILBUN_PLUGINS) are loaded first, so their
// groups mount like the built-ins'; a plugin that does not load exits 2 as a configuration error.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { runCli } from "./app.ts"
import { cliPlugins } from "./plugins.ts"

const plugins = await Effect.runPromise(Effect.either(cliPlugins(process.env, process.cwd())))
if (Either.isLeft(plugins)) {
  process.stderr.write(`error: ${plugins.left.message}\n`)
  process.exitCode = 2
} else {
  process.exitCode = await Effect.runPromise(runCli(process.argv, plugins.right))
}
