// Node configuration: schema, defaults, sources (YAML < QUILBUN_* env < flags), keys.
export { NodeConfigSchema, HostPort, Multiaddr, LogLevel, LogFormat, DEVNET_NETWORK_ID } from "./schema.ts"
export type { NodeConfig, NodeConfigEncoded } from "./schema.ts"
export { ConfigError, CONFIG_EXIT_CODE, formatConfigError, configErrorExit } from "./errors.ts"
export { CONFIG_FIELDS, RESERVED_ENV } from "./fields.ts"
export type { ConfigField } from "./fields.ts"
export type { ConfigSource } from "./assignment.ts"
export { DEFAULT_DATA_DIR, DEFAULT_API_LISTEN, DEFAULT_P2P_LISTEN, defaultWorkers, defaultConfigEncoded } from "./defaults.ts"
export { defaultConfigYaml, MAX_CONFIG_BYTES } from "./file.ts"
export {
  loadConfig,
  loadConfigDetailed,
  ensureConfigFile,
  ensureDataDir,
  processConfigInput,
  NodeConfigTag,
  NodeConfigLive,
  NodeConfigFixed,
} from "./load.ts"
export type { LoadConfigInput, LoadedConfig } from "./load.ts"
export { ensureKeys, KeyFileError, KEY_FILES, nodeIdOf } from "./keys.ts"
export type { NodeKeys, EnsureKeysOptions } from "./keys.ts"
export { summarizeConfig, REDACTED } from "./summary.ts"
export type { ConfigSummary } from "./summary.ts"
export { writeFileAtomic, ensurePrivateDir } from "./fs.ts"
