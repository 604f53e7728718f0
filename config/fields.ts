// The table of configuration leaves: YAML path, environment variable, optional flag, and how a
// string (env, flag, --set) becomes the YAML-side value before the leaf schema judges it.
// Env names: `QUILBUN_` + path segments in UPPER_SNAKE joined by `_` (the spelling:
// QUILBUN_API_LISTEN, QUILBUN_LOG_LEVEL). The table is written out, not derived, and a test pins it.
import type { Schema } from "effect"
import { Leaf } from "./schema.ts"

/** How a string from env/flags is turned into the encoded value (YAML side). */
export type StringKind = "string" | "int" | "bool" | "list"

export interface ConfigField {
  readonly path: ReadonlyArray<string>
  readonly env: string
  readonly flag?: string
  readonly kind: StringKind
  readonly schema: Schema.Schema.AnyNoContext
  /** Optional leaves may be absent (YAML `null` or missing means "not set"). */
  readonly optional?: boolean
}

export const CONFIG_FIELDS: ReadonlyArray<ConfigField> = [
  { path: ["dataDir"], env: "QUILBUN_DATA_DIR", flag: "--data-dir", kind: "string", schema: Leaf.dataDir },
  { path: ["workers"], env: "QUILBUN_WORKERS", flag: "--workers", kind: "int", schema: Leaf.workers },
  { path: ["api", "listen"], env: "QUILBUN_API_LISTEN", flag: "--api-listen", kind: "string", schema: Leaf.apiListen },
  { path: ["api", "bodyLimitBytes"], env: "QUILBUN_API_BODY_LIMIT_BYTES", kind: "int", schema: Leaf.apiBodyLimitBytes },
  { path: ["api", "requestTimeoutMs"], env: "QUILBUN_API_REQUEST_TIMEOUT_MS", kind: "int", schema: Leaf.apiRequestTimeoutMs },
  { path: ["api", "mutationsPerMinute"], env: "QUILBUN_API_MUTATIONS_PER_MINUTE", kind: "int", schema: Leaf.apiMutationsPerMinute },
  { path: ["log", "level"], env: "QUILBUN_LOG_LEVEL", flag: "--log-level", kind: "string", schema: Leaf.logLevel },
  { path: ["log", "format"], env: "QUILBUN_LOG_FORMAT", flag: "--log-format", kind: "string", schema: Leaf.logFormat },
  { path: ["p2p", "listen"], env: "QUILBUN_P2P_LISTEN", kind: "list", schema: Leaf.p2pListen },
  { path: ["p2p", "bootstrap"], env: "QUILBUN_P2P_BOOTSTRAP", kind: "list", schema: Leaf.p2pBootstrap },
  { path: ["p2p", "networkId"], env: "QUILBUN_P2P_NETWORK_ID", kind: "int", schema: Leaf.p2pNetworkId },
  { path: ["engine", "devnet"], env: "QUILBUN_ENGINE_DEVNET", kind: "bool", schema: Leaf.engineDevnet },
  {
    path: ["engine", "difficulty"],
    env: "QUILBUN_ENGINE_DIFFICULTY",
    kind: "int",
    schema: Leaf.engineDifficulty,
    optional: true,
  },
  {
    path: ["engine", "genesisProvers"],
    env: "QUILBUN_ENGINE_GENESIS_PROVERS",
    kind: "list",
    schema: Leaf.engineGenesisProvers,
    optional: true,
  },
  { path: ["engine", "autoJoin"], env: "QUILBUN_ENGINE_AUTO_JOIN", kind: "list", schema: Leaf.engineAutoJoin, optional: true },
  { path: ["shutdown", "deadlineMs"], env: "QUILBUN_SHUTDOWN_DEADLINE_MS", kind: "int", schema: Leaf.shutdownDeadlineMs },
  {
    path: ["workerLiveness", "intervalMs"],
    env: "QUILBUN_WORKER_LIVENESS_INTERVAL_MS",
    kind: "int",
    schema: Leaf.workerLivenessIntervalMs,
  },
  {
    path: ["workerLiveness", "unresponsiveAfterMs"],
    env: "QUILBUN_WORKER_LIVENESS_UNRESPONSIVE_AFTER_MS",
    kind: "int",
    schema: Leaf.workerLivenessUnresponsiveAfterMs,
  },
  {
    path: ["workerLiveness", "restartAfterMs"],
    env: "QUILBUN_WORKER_LIVENESS_RESTART_AFTER_MS",
    kind: "int",
    schema: Leaf.workerLivenessRestartAfterMs,
  },
  { path: ["plugins"], env: "QUILBUN_PLUGINS", kind: "list", schema: Leaf.plugins },
]

/**
 * `QUILBUN_*` variables that are process settings, not config keys (allowed, ignored here):
 * the native library path, and the token CLI's wallet directory (intrinsics/token, D-TOKEN-12).
 */
export const RESERVED_ENV = new Set(["QUILBUN_NATIVE_LIB", "QUILBUN_WALLET_DIR"])

export const fieldByPath = new Map(CONFIG_FIELDS.map((f) => [f.path.join("."), f]))
export const fieldByEnv = new Map(CONFIG_FIELDS.map((f) => [f.env, f]))
export const fieldByFlag = new Map(CONFIG_FIELDS.flatMap((f): Array<[string, ConfigField]> => (f.flag === undefined ? [] : [[f.flag, f]])))
/** Top-level YAML keys that are groups (mappings) rather than leaves. */
export const GROUPS = new Set(CONFIG_FIELDS.filter((f) => f.path.length > 1).map((f) => f.path[0] ?? ""))

/** Turns a string from env/flags into the YAML-side value; unparseable strings pass through so the schema names the reason. */
export const fromString = (kind: StringKind, text: string): unknown => {
  const s = text.trim()
  switch (kind) {
    case "string":
      return s
    case "int":
      return /^[+-]?\d+$/.test(s) ? Number(s) : s
    case "bool":
      return s === "true" || s === "1" ? true : s === "false" || s === "0" ? false : s
    case "list":
      return s === ""
        ? []
        : s
            .split(",")
            .map((x) => x.trim())
            .filter((x) => x !== "")
  }
}
