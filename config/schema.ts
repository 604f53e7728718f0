// The node configuration schema: one Effect Schema is the single source of truth for what a valid
// value is. YAML holds the *encoded* side (e.g. `api.listen: "127.0.0.1:8337"`), the node sees the
// decoded side (e.g. `{ host, port }`). Every refinement carries its own one-line reason, because
// that reason ends up verbatim in the operator-facing error line.
import { ParseResult, Schema } from "effect"
import { LogLevelName } from "../runtime/kernel/logging.ts"

const reason = (message: string) => ({ message: () => ({ message, override: true }) })

/** The smallest `engine.difficulty` a devnet accepts (see engineDifficulty). */
const MIN_ENGINE_DIFFICULTY = 100

const int = (min: number, max: number, what = "an integer") =>
  Schema.Number.pipe(Schema.int(), Schema.between(min, max), Schema.annotations(reason(`expected ${what} between ${min} and ${max}`)))

/** `host:port`, IPv6 hosts in brackets (`[::1]:8337`). */
const HostPort = Schema.transformOrFail(Schema.String, Schema.Struct({ host: Schema.String, port: Schema.Number }), {
  strict: true,
  decode: (s, _, ast) => {
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(s)
    const host = m?.[1] ?? m?.[2]
    const port = m?.[3] === undefined ? NaN : Number(m[3])
    return host === undefined || !(port >= 0 && port <= 65535)
      ? ParseResult.fail(new ParseResult.Type(ast, s, "expected host:port with a port between 0 and 65535"))
      : ParseResult.succeed({ host, port })
  },
  encode: ({ host, port }) => ParseResult.succeed(host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`),
}).annotations({ identifier: "HostPort" })

const MULTIADDR_PROTOCOLS = new Set(["ip4", "ip6", "dns", "dns4", "dns6", "dnsaddr"])

/** A libp2p multiaddr, checked for shape only: `/<ip4|ip6|dns..>/<host>/<tcp|udp>/<port>[/...]`. */
export const Multiaddr = Schema.String.pipe(
  Schema.filter((s) => {
    const parts = s.split("/")
    if (parts[0] !== "" || parts.some((p, i) => i > 0 && p === "")) return false
    const [, proto, host, transport, port] = parts
    if (proto === undefined || !MULTIADDR_PROTOCOLS.has(proto) || host === undefined) return false
    if (transport === undefined) return proto === "dnsaddr"
    return (transport === "tcp" || transport === "udp") && port !== undefined && /^\d{1,5}$/.test(port) && Number(port) <= 65535
  }),
  Schema.annotations({ ...reason("expected a multiaddr like /ip4/127.0.0.1/tcp/8336"), identifier: "Multiaddr" }),
)

// One list for the config and POST /v1/log-level (runtime/kernel/logging.ts).
const LogLevel = LogLevelName.annotations(reason(`expected one of ${LogLevelName.literals.join(", ")}`))

const LogFormat = Schema.Literal("pretty", "json").annotations(reason("expected one of pretty, json"))

const NonEmptyPath = Schema.String.pipe(Schema.minLength(1), Schema.annotations(reason("expected a non-empty path")))
const Bool = Schema.Boolean.annotations(reason("expected true or false"))
// Not an override: an element's own reason (with its index) wins over the list's.
const MultiaddrList = Schema.Array(Multiaddr).annotations({ message: () => "expected a list of multiaddrs" })

/** Hex characters of a BLS48-581 G2 public key (585 bytes). */
export const BLS_PUBLIC_KEY_HEX_LENGTH = 2 * 585

/** One genesis prover: the hex of its BLS48-581 public key (shape only; the engine checks the point). */
const BlsPublicKeyHex = Schema.String.pipe(
  Schema.filter((s) => s.length === BLS_PUBLIC_KEY_HEX_LENGTH && /^[0-9a-fA-F]+$/.test(s)),
  Schema.annotations({
    ...reason(`expected a BLS48-581 public key: ${BLS_PUBLIC_KEY_HEX_LENGTH} hex characters`),
    identifier: "BlsPublicKeyHex",
  }),
)

/**
 * The devnet genesis committee shared by every node of a multi-process devnet (equal weight). Keys
 * are compared case-insensitively, so a key listed twice (in any case) is refused.
 */
const GenesisProverList = Schema.Array(BlsPublicKeyHex)
  .annotations({ message: () => "expected a list of hex BLS48-581 public keys" })
  .pipe(
    Schema.filter((keys) => new Set(keys.map((k) => k.toLowerCase())).size === keys.length, {
      message: () => "expected distinct prover public keys (a key is listed twice)",
    }),
  )

/** One shard filter (app address): 32–64 bytes of hex, no prefix. */
const ShardFilterHex = Schema.String.pipe(
  Schema.filter((s) => s.length >= 64 && s.length <= 128 && s.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(s)),
  Schema.annotations({ ...reason("expected a shard filter: 64–128 hex characters (32–64 bytes)"), identifier: "ShardFilterHex" }),
)

/** Shards the master joins by itself (runtime/node/auto-join.ts): distinct filters, at most one per data worker (checked at start). */
const AutoJoinList = Schema.Array(ShardFilterHex).pipe(
  Schema.filter((fs) => new Set(fs.map((f) => f.toLowerCase())).size === fs.length, { message: () => "expected distinct shard filters" }),
)

/**
 * Intrinsic plugins the node loads at start-up (master, every data worker and the CLI): module paths
 * (relative to the working directory) or package names. Config only holds the strings; runtime/node
 * imports them (config stays a leaf).
 */
const PluginList = Schema.Array(Schema.String.pipe(Schema.minLength(1))).annotations({
  message: () => "expected a list of plugin module paths or package names",
})

/**
 * Network id as in the reference (`p2p.network`): 0 mainnet, 1 primary testnet, 99 devnet.
 * quilbun defaults to 99 because only the devnet engine exists for now (`engine.devnet: true`).
 */
export const DEVNET_NETWORK_ID = 99

/** The schema of every leaf, shared by the struct below and the field table (fields.ts). */
export const Leaf = {
  dataDir: NonEmptyPath,
  workers: int(1, 1024, "a worker count"),
  apiListen: HostPort.annotations(reason("expected host:port with a port between 0 and 65535")),
  apiBodyLimitBytes: int(1024, 2 ** 30, "a byte count"),
  apiRequestTimeoutMs: int(100, 240_000, "milliseconds"),
  apiMutationsPerMinute: int(1, 1_000_000, "requests per minute"),
  logLevel: LogLevel,
  logFormat: LogFormat,
  p2pListen: MultiaddrList,
  p2pBootstrap: MultiaddrList,
  p2pNetworkId: int(0, 255),
  engineDevnet: Bool,
  // Below ~4 squarings the class-group VDF maps many challenges to one output (difficulty 1: two
  // outputs in all), so distinct frames get one selector and the chain stalls; 100 leaves a margin.
  engineDifficulty: int(MIN_ENGINE_DIFFICULTY, 2 ** 32 - 1, "a VDF difficulty (smaller ones repeat outputs, so frames collide)"),
  engineGenesisProvers: GenesisProverList,
  engineAutoJoin: AutoJoinList,
  shutdownDeadlineMs: int(0, 600_000, "milliseconds"),
  workerLivenessIntervalMs: int(50, 60_000, "milliseconds"),
  workerLivenessUnresponsiveAfterMs: int(100, 600_000, "milliseconds"),
  workerLivenessRestartAfterMs: int(100, 3_600_000, "milliseconds"),
  plugins: PluginList,
} as const

/**
 * The master asks every data worker for a ping each `intervalMs`; a worker silent for
 * `unresponsiveAfterMs` is reported `unresponsive` (and /ready answers 503), one silent for
 * `restartAfterMs` is killed and restarted by its slot.
 */
const WorkerLiveness = Schema.Struct({
  intervalMs: Leaf.workerLivenessIntervalMs,
  unresponsiveAfterMs: Leaf.workerLivenessUnresponsiveAfterMs,
  restartAfterMs: Leaf.workerLivenessRestartAfterMs,
}).pipe(
  Schema.filter((l) => l.unresponsiveAfterMs > l.intervalMs && l.restartAfterMs >= l.unresponsiveAfterMs, {
    message: () => "expected intervalMs < unresponsiveAfterMs <= restartAfterMs",
  }),
)

export const NodeConfigSchema = Schema.Struct({
  /** Absolute after loading (relative values resolve against the working directory). */
  dataDir: Leaf.dataDir,
  workers: Leaf.workers,
  /** Admin API: listen address, body limit, request deadline, rate of state-changing requests (runtime/api). */
  api: Schema.Struct({
    listen: Leaf.apiListen,
    bodyLimitBytes: Leaf.apiBodyLimitBytes,
    requestTimeoutMs: Leaf.apiRequestTimeoutMs,
    mutationsPerMinute: Leaf.apiMutationsPerMinute,
  }),
  log: Schema.Struct({ level: Leaf.logLevel, format: Leaf.logFormat }),
  p2p: Schema.Struct({ listen: Leaf.p2pListen, bootstrap: Leaf.p2pBootstrap, networkId: Leaf.p2pNetworkId }),
  engine: Schema.Struct({
    devnet: Leaf.engineDevnet,
    /** Devnet-only VDF difficulty override; absent means the protocol's own difficulty. */
    difficulty: Schema.optional(Leaf.engineDifficulty),
    /**
     * Devnet-only shared genesis committee (hex BLS48-581 public keys, equal weight). Absent or empty:
     * the single-node devnet (this node's key alone, in-memory transport). Non-empty: the node joins a
     * multi-process devnet, so it also runs its libp2p host (p2p.listen, p2p.bootstrap, p2p.networkId)
     * and consensus runs over it.
     */
    genesisProvers: Schema.optional(Leaf.engineGenesisProvers),
    /**
     * Opt-in: shard filters (hex) this node joins as a prover by itself once it follows the chain, and
     * confirms after the network's confirm delay (runtime/node/auto-join.ts). Absent or empty: none.
     */
    autoJoin: Schema.optional(Leaf.engineAutoJoin),
  }),
  shutdown: Schema.Struct({ deadlineMs: Leaf.shutdownDeadlineMs }),
  workerLiveness: WorkerLiveness,
  plugins: Leaf.plugins,
})

export type NodeConfig = typeof NodeConfigSchema.Type
export type NodeConfigEncoded = typeof NodeConfigSchema.Encoded
