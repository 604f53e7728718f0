// Built-in defaults (the lowest-priority source). Two depend on the machine, so they are a function.
import { DEVNET_NETWORK_ID, type NodeConfigEncoded } from "./schema.ts"

export const DEFAULT_DATA_DIR = "./.quilbun"
const DEFAULT_API_LISTEN = "127.0.0.1:8337"
const DEFAULT_P2P_LISTEN = "/ip4/127.0.0.1/tcp/8336"

/** One worker per core, leaving one core for the master; never fewer than one. */
const defaultWorkers = (cores: number): number => Math.max(1, Math.floor(cores) - 1)

/** Encoded (YAML-side) defaults. */
export const defaultConfigEncoded = (cores: number): NodeConfigEncoded => ({
  dataDir: DEFAULT_DATA_DIR,
  workers: defaultWorkers(cores),
  api: { listen: DEFAULT_API_LISTEN, bodyLimitBytes: 1024 * 1024, requestTimeoutMs: 20_000, mutationsPerMinute: 600 },
  log: { level: "info", format: "pretty" },
  p2p: { listen: [DEFAULT_P2P_LISTEN], bootstrap: [], networkId: DEVNET_NETWORK_ID },
  engine: { devnet: true },
  shutdown: { deadlineMs: 8000 },
  workerLiveness: { intervalMs: 2000, unresponsiveAfterMs: 5000, restartAfterMs: 15_000 },
  plugins: [],
})
