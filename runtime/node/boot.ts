// From command line to node options: load and validate the config (defaults < config.yml <
// QUILBUN_* < flags), create the data dir and default config file on first start, lock the data
// dir (held for the caller's scope), narrow over-wide permissions, generate or read the keys and
// the admin token. Shared by `bun run node` and the embedding API.
// A data dir that holds a chain (chain.json) must still have its store and its keys: both are checked
// here, under the lock and before any key is generated (chain-guard.ts).
import { Effect, Redacted } from "effect"
import { ConfigError } from "../../config/errors.ts"
import { ensureConfigFile, ensureDataDir, ensureKeys, loadConfigDetailed, summarizeConfig, type LoadConfigInput } from "../../config/index.ts"
import { tightenDataDirPermissions } from "../../config/permissions.ts"
import type { MasterNodeOptions } from "./master-node.ts"
import { acquireDataDirLock } from "./data-dir-lock.ts"
import { checkGenesisProvers } from "./genesis-check.ts"
import { checkChainAtBoot } from "./chain-guard.ts"
import { NODE_VERSION } from "../kernel/version.ts"
import { loadNodeIntrinsics } from "./plugins.ts"

const MASTER_ROLES: ReadonlyArray<string> = ["master", "admin-api", "worker-manager"]

export const prepareNode = (input: LoadConfigInput) =>
  Effect.gen(function* () {
    // Validate before writing anything, so a bad flag leaves no files behind.
    const checked = (yield* loadConfigDetailed(input)).config
    yield* checkGenesisProvers(checked)
    // A plugin that does not load is a configuration error (exit 2), found before anything is written.
    const intrinsics = yield* loadNodeIntrinsics(checked.plugins, input.cwd).pipe(
      Effect.mapError((e) => new ConfigError({ path: "plugins", value: e.plugin, reason: e.message })),
    )
    yield* ensureConfigFile(input)
    const loaded = yield* loadConfigDetailed(input)
    yield* ensureDataDir(loaded.config)
    // Before keys are read or generated: two first starts must not both write keys.
    const lock = yield* acquireDataDirLock(loaded.config.dataDir)
    const permissionFixes = yield* tightenDataDirPermissions(loaded.config.dataDir)
    const chain = yield* checkChainAtBoot(loaded.config.dataDir, loaded.resetStore, loaded.config.engine.genesisProvers)
    const keys = yield* ensureKeys(loaded.config.dataDir, { keysMustExist: chain.hasChain })
    // Only the token can be created here once a chain exists (keys are refused above).
    const regenerated = chain.hasChain ? keys.created.map((path) => `${path} was missing; generated a new admin API token`) : []
    const summary = summarizeConfig(loaded.config, keys)
    const options: MasterNodeOptions = {
      config: loaded.config,
      intrinsics,
      apiToken: Redacted.value(keys.apiToken),
      proverIkm: keys.prover.ikm,
      peerKey: keys.peer.secretKey,
      resetStore: loaded.resetStore,
      resetAnnounced: chain.resetAnnounced,
      identity: {
        version: NODE_VERSION,
        nodeId: keys.nodeId,
        roles: MASTER_ROLES,
        config: { ...summary.config, identity: summary.identity },
      },
      startupReport: { permissionFixes, tookOver: lock.tookOver, notices: [...chain.notices, ...regenerated] },
    }
    return options
  })
