// Node configuration: schema, defaults, sources (YAML < QUILBUN_* env < flags), keys.
export { Multiaddr } from "./schema.ts"
export type { NodeConfig } from "./schema.ts"
export { ConfigError, CONFIG_EXIT_CODE, formatConfigError, configErrorExit } from "./errors.ts"
export { CONFIG_FIELDS } from "./fields.ts"
export { DEFAULT_DATA_DIR } from "./defaults.ts"
export { MAX_CONFIG_BYTES } from "./file.ts"
export {
  loadConfig,
  loadConfigDetailed,
  ensureConfigFile,
  ensureDataDir,
  processConfigInput,
  NodeConfigTag,
  NodeConfigLive,
} from "./load.ts"
export type { LoadConfigInput } from "./load.ts"
export { ensureKeys, KEY_FILES } from "./keys.ts"
export { summarizeConfig, REDACTED } from "./summary.ts"
export { writeFileAtomic } from "./fs.ts"
