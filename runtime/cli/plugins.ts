// The plugins the CLI mounts: the same `plugins` key the node reads (the data dir's config.yml, then
// QUILBUN_PLUGINS), resolved against the working directory. A config the CLI cannot load mounts no
// plugins: the commands that need the config report that error themselves.
import { availableParallelism } from "node:os"
import * as Effect from "effect/Effect"
import { DEFAULT_DATA_DIR, loadConfig } from "../../config/index.ts"
import type { Intrinsic } from "../../intrinsics/contract/index.ts"
import { loadNodeIntrinsics, type PluginLoadError } from "../node/plugins.ts"

export const cliPlugins = (env: Readonly<Record<string, string | undefined>>, cwd: string): Effect.Effect<ReadonlyArray<Intrinsic>, PluginLoadError> =>
  loadConfig({ argv: ["--data-dir", env.QUILBUN_DATA_DIR ?? DEFAULT_DATA_DIR], env, cores: availableParallelism(), cwd }).pipe(
    Effect.map((config) => config.plugins),
    Effect.orElseSucceed((): ReadonlyArray<string> => []),
    Effect.flatMap((specs) => loadNodeIntrinsics(specs, cwd)),
    Effect.map((loaded) => loaded.plugins.map((p) => p.intrinsic)),
  )
