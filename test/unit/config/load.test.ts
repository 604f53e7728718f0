import { afterEach, describe, expect, test } from "bun:test"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either } from "effect"
import {
  CONFIG_EXIT_CODE,
  CONFIG_FIELDS,
  type ConfigError,
  configErrorExit,
  ensureConfigFile,
  loadConfig,
  loadConfigDetailed,
  MAX_CONFIG_BYTES,
  NodeConfigLive,
  NodeConfigTag,
  type LoadConfigInput,
} from "../../../config/index.ts"
import { LogLevel } from "effect"
import { toEffectLogLevel } from "../../../runtime/kernel/logging.ts"
import { errorReason } from "../../../config/fs.ts"

const dirs: Array<string> = []
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "quilbun-config-"))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const input = (cwd: string, over: Partial<LoadConfigInput> = {}): LoadConfigInput => ({
  argv: [],
  env: {},
  cores: 4,
  cwd,
  ...over,
})
const load = (i: LoadConfigInput) => Effect.runSync(loadConfig(i))
const fail = (i: LoadConfigInput): ConfigError => {
  const r = Effect.runSync(Effect.either(loadConfig(i)))
  if (Either.isRight(r)) throw new Error("expected a ConfigError")
  return r.left
}
const writeYaml = (dir: string, text: string): string => {
  const file = join(dir, "config.yml")
  writeFileSync(file, text)
  return file
}

describe("defaults", () => {
  test("every key has its documented default", () => {
    const cwd = tmp()
    const c = load(input(cwd))
    expect(c.dataDir).toBe(join(cwd, ".quilbun"))
    expect(c.workers).toBe(3)
    expect(c.api.listen).toEqual({ host: "127.0.0.1", port: 8337 })
    expect(c.api.bodyLimitBytes).toBe(1024 * 1024)
    expect(c.log).toEqual({ level: "info", format: "pretty" })
    expect(c.p2p).toEqual({ listen: ["/ip4/127.0.0.1/tcp/8336"], bootstrap: [], networkId: 99 })
    expect(c.engine.devnet).toBe(true)
    expect(c.engine.difficulty).toBeUndefined()
    expect(c.shutdown.deadlineMs).toBe(8000)
  })
  test("workers = cores - 1, at least 1", () => {
    const cwd = tmp()
    expect(load(input(cwd, { cores: 1 })).workers).toBe(1)
    expect(load(input(cwd, { cores: 2 })).workers).toBe(1)
    expect(load(input(cwd, { cores: 16 })).workers).toBe(15)
  })
  test("loading writes nothing", () => {
    const cwd = tmp()
    load(input(cwd))
    expect(existsSync(join(cwd, ".quilbun"))).toBe(false)
  })
})

describe("precedence file < env < flags", () => {
  test("each layer overrides the one below, leaf by leaf", () => {
    const cwd = tmp()
    const dataDir = join(cwd, "d")
    mkdirSync(dataDir)
    writeYaml(dataDir, "workers: 5\napi:\n  listen: 0.0.0.0:9000\n  bodyLimitBytes: 4096\nlog:\n  level: debug\n")
    const base = { argv: ["--data-dir", dataDir] }
    const fileOnly = load(input(cwd, base))
    expect(fileOnly.workers).toBe(5)
    expect(fileOnly.api.listen).toEqual({ host: "0.0.0.0", port: 9000 })
    expect(fileOnly.log.level).toBe("debug")

    const env = { QUILBUN_WORKERS: "6", QUILBUN_API_LISTEN: "127.0.0.2:9001" }
    const withEnv = load(input(cwd, { ...base, env }))
    expect(withEnv.workers).toBe(6)
    expect(withEnv.api.listen).toEqual({ host: "127.0.0.2", port: 9001 })
    expect(withEnv.api.bodyLimitBytes).toBe(4096) // untouched leaf keeps the file's value
    expect(withEnv.log.level).toBe("debug")

    const withFlags = load(input(cwd, { env, argv: [...base.argv, "--workers=7", "--log-level", "error"] }))
    expect(withFlags.workers).toBe(7)
    expect(withFlags.api.listen).toEqual({ host: "127.0.0.2", port: 9001 })
    expect(withFlags.log.level).toBe("error")
  })
  test("env QUILBUN_DATA_DIR locates the config file; the flag beats it", () => {
    const cwd = tmp()
    const a = join(cwd, "a")
    const b = join(cwd, "b")
    mkdirSync(a)
    mkdirSync(b)
    writeYaml(a, "workers: 2\n")
    writeYaml(b, "workers: 9\n")
    expect(load(input(cwd, { env: { QUILBUN_DATA_DIR: a } })).workers).toBe(2)
    const c = load(input(cwd, { env: { QUILBUN_DATA_DIR: a }, argv: ["--data-dir", b] }))
    expect(c.workers).toBe(9)
    expect(c.dataDir).toBe(b)
  })
  test("--config points at another file; --set reaches any key; sources are reported", () => {
    const cwd = tmp()
    const file = join(cwd, "other.yml")
    writeFileSync(file, "p2p:\n  bootstrap: [/ip4/10.0.0.1/tcp/8336]\nengine:\n  difficulty: 1000\n")
    const r = Effect.runSync(
      loadConfigDetailed(
        input(cwd, {
          argv: ["--config", file, "--set", "shutdown.deadlineMs=100", "--log-format", "json"],
          env: { QUILBUN_P2P_LISTEN: "/ip4/0.0.0.0/tcp/1,/ip6/::/tcp/2", QUILBUN_ENGINE_DEVNET: "false" },
        }),
      ),
    )
    expect(r.configPath).toBe(file)
    expect(r.config.p2p.bootstrap).toEqual(["/ip4/10.0.0.1/tcp/8336"])
    expect(r.config.engine).toEqual({ devnet: false, difficulty: 1000 })
    expect(r.config.p2p.listen).toEqual(["/ip4/0.0.0.0/tcp/1", "/ip6/::/tcp/2"])
    expect(r.config.shutdown.deadlineMs).toBe(100)
    expect(r.config.log.format).toBe("json")
    expect(r.sources["p2p.bootstrap"]).toBe("file")
    expect(r.sources["p2p.listen"]).toBe("env")
    expect(r.sources["shutdown.deadlineMs"]).toBe("flag")
    expect(r.sources["workers"]).toBe("default")
  })
  test("pass-through flags owned by main are skipped", () => {
    const cwd = tmp()
    const c = load(
      input(cwd, {
        argv: ["--print-config", "--core", "3", "--workers", "2"],
        passThroughFlags: new Map([
          ["--print-config", { takesValue: false }],
          ["--core", { takesValue: true }],
        ]),
      }),
    )
    expect(c.workers).toBe(2)
  })
})

describe("invalid values: one line naming path, value and reason", () => {
  test("flag", () => {
    const e = fail(input(tmp(), { argv: ["--workers", "abc"] }))
    expect(e.message).toBe('config: workers: "abc": expected a worker count between 1 and 1024 (from flag --workers)')
    expect(configErrorExit(e)).toEqual({ line: e.message, code: CONFIG_EXIT_CODE })
    expect(CONFIG_EXIT_CODE).toBe(2)
  })
  test("a devnet VDF difficulty too small to give distinct frame outputs", () => {
    const e = fail(input(tmp(), { argv: ["--set", "engine.difficulty=1"] }))
    expect(e.message).toBe(
      "config: engine.difficulty: 1: expected a VDF difficulty (smaller ones repeat outputs, so frames collide) between 100 and 4294967295 (from flag --set)",
    )
  })
  test("env", () => {
    const e = fail(input(tmp(), { env: { QUILBUN_API_LISTEN: "localhost" } }))
    expect(e.message).toBe('config: api.listen: "localhost": expected host:port with a port between 0 and 65535 (from env QUILBUN_API_LISTEN)')
    const lvl = fail(input(tmp(), { env: { QUILBUN_LOG_LEVEL: "verbose" } }))
    expect(lvl.message).toBe('config: log.level: "verbose": expected one of trace, debug, info, warning, error, fatal, none (from env QUILBUN_LOG_LEVEL)')
    const port = fail(input(tmp(), { env: { QUILBUN_API_LISTEN: "127.0.0.1:70000" } }))
    expect(port.path).toBe("api.listen")
  })
  test("file", () => {
    const cwd = tmp()
    const file = writeYaml(cwd, "p2p:\n  listen:\n    - /ip4/1.2.3.4/tcp/1\n    - not-an-addr\n")
    const e = fail(input(cwd, { argv: ["--config", file] }))
    expect(e.message).toBe(`config: p2p.listen[1]: "not-an-addr": expected a multiaddr like /ip4/127.0.0.1/tcp/8336 (from file ${file})`)
    const notList = writeYaml(cwd, "p2p:\n  bootstrap: 7\n")
    expect(fail(input(cwd, { argv: ["--config", notList] })).message).toBe(`config: p2p.bootstrap: 7: expected a list of multiaddrs (from file ${notList})`)
    expect(e.message.includes("\n")).toBe(false)
  })
  test("unknown key in the file, unknown env var, unknown flag", () => {
    const cwd = tmp()
    const file = writeYaml(cwd, "api:\n  lisen: 1.2.3.4:1\n")
    expect(fail(input(cwd, { argv: ["--config", file] })).message).toBe(`config: api.lisen: "1.2.3.4:1": unknown key (from file ${file})`)
    const top = writeYaml(cwd, "wrokers: 3\n")
    expect(fail(input(cwd, { argv: ["--config", top] })).path).toBe("wrokers")
    expect(fail(input(cwd, { env: { QUILBUN_WROKERS: "3" } })).message).toBe('config: QUILBUN_WROKERS: "3": unknown QUILBUN_* environment variable')
    expect(fail(input(cwd, { argv: ["--wrokers", "3"] })).reason).toBe("unknown flag")
    expect(fail(input(cwd, { argv: ["--set", "api.nope=1"] })).path).toBe("api.nope")
    // reserved process settings are not config keys and are not errors
    expect(load(input(cwd, { env: { QUILBUN_NATIVE_LIB: "/x.so" } })).workers).toBe(3)
    expect(load(input(cwd, { env: { QUILBUN_WALLET_DIR: "/w" } })).workers).toBe(3)
  })
  test("explicit --config that does not exist, broken YAML, flag without value", () => {
    const cwd = tmp()
    expect(fail(input(cwd, { argv: ["--config", join(cwd, "nope.yml")] })).reason).toBe("file not found")
    const bad = writeYaml(cwd, "api: [\n")
    expect(fail(input(cwd, { argv: ["--config", bad] })).reason).toStartWith("invalid YAML")
    expect(fail(input(cwd, { argv: ["--workers"] })).reason).toBe("flag needs a value")
  })
  test("--config of a device, a directory or an oversized file is refused before anything is read", () => {
    const cwd = tmp()
    expect(fail(input(cwd, { argv: ["--config", "/dev/zero"] })).reason).toBe("not a regular file")
    expect(fail(input(cwd, { argv: ["--config", cwd] })).reason).toBe("not a regular file")
    const huge = join(cwd, "huge.yml")
    writeFileSync(huge, `# ${"x".repeat(MAX_CONFIG_BYTES)}\n`)
    expect(fail(input(cwd, { argv: ["--config", huge] })).reason).toBe(`larger than ${MAX_CONFIG_BYTES} bytes (${MAX_CONFIG_BYTES + 3})`)
  })
  test("boolean and optional leaves", () => {
    const cwd = tmp()
    expect(fail(input(cwd, { env: { QUILBUN_ENGINE_DEVNET: "yes" } })).reason).toBe("expected true or false (from env QUILBUN_ENGINE_DEVNET)")
    const file = writeYaml(cwd, "engine:\n  difficulty: null\n")
    expect(load(input(cwd, { argv: ["--config", file] })).engine.difficulty).toBeUndefined()
    expect(fail(input(cwd, { env: { QUILBUN_ENGINE_DIFFICULTY: "0" } })).path).toBe("engine.difficulty")
  })
})

describe("config.yml on first start", () => {
  test("written once with defaults (0600 in a 0700 dir), then re-read", () => {
    const cwd = tmp()
    const i = input(cwd, { argv: ["--data-dir", "node1"] })
    const first = Effect.runSync(ensureConfigFile(i))
    expect(first).toEqual({ path: join(cwd, "node1", "config.yml"), created: true })
    expect(statSync(first.path).mode & 0o777).toBe(0o600)
    expect(statSync(join(cwd, "node1")).mode & 0o777).toBe(0o700)
    expect(Effect.runSync(ensureConfigFile(i)).created).toBe(false)
    const text = readFileSync(first.path, "utf8")
    expect(text).toContain("listen: 127.0.0.1:8337")
    const detailed = Effect.runSync(loadConfigDetailed(i))
    expect(detailed.sources["api.listen"]).toBe("file")
    expect(detailed.config).toEqual(load(input(cwd, { argv: ["--data-dir", join(cwd, "node1")] })))
    // the operator edits it, and the edit is what loads next time
    writeFileSync(first.path, text.replace("level: info", "level: warning"))
    expect(load(i).log.level).toBe("warning")
    expect(load(i).workers).toBe(3) // workers is a comment in the file: it follows the core count
  })
  test("the layer provides the loaded config", () => {
    const cwd = tmp()
    const c = Effect.runSync(Effect.provide(NodeConfigTag, NodeConfigLive(input(cwd, { argv: ["--workers", "2"] }))))
    expect(c.workers).toBe(2)
  })
})

test("env names are unique, pinned and follow QUILBUN_ + UPPER_SNAKE path", () => {
  const names = CONFIG_FIELDS.map((f) => f.env)
  expect(new Set(names).size).toBe(names.length)
  const snake = (p: ReadonlyArray<string>) => "QUILBUN_" + p.map((s) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()).join("_")
  for (const f of CONFIG_FIELDS) expect(f.env).toBe(snake(f.path))
  expect(names).toEqual([
    "QUILBUN_DATA_DIR",
    "QUILBUN_WORKERS",
    "QUILBUN_API_LISTEN",
    "QUILBUN_API_BODY_LIMIT_BYTES",
    "QUILBUN_API_REQUEST_TIMEOUT_MS",
    "QUILBUN_API_MUTATIONS_PER_MINUTE",
    "QUILBUN_LOG_LEVEL",
    "QUILBUN_LOG_FORMAT",
    "QUILBUN_P2P_LISTEN",
    "QUILBUN_P2P_BOOTSTRAP",
    "QUILBUN_P2P_NETWORK_ID",
    "QUILBUN_ENGINE_DEVNET",
    "QUILBUN_ENGINE_DIFFICULTY",
    "QUILBUN_ENGINE_GENESIS_PROVERS",
    "QUILBUN_ENGINE_AUTO_JOIN",
    "QUILBUN_SHUTDOWN_DEADLINE_MS",
    "QUILBUN_WORKER_LIVENESS_INTERVAL_MS",
    "QUILBUN_WORKER_LIVENESS_UNRESPONSIVE_AFTER_MS",
    "QUILBUN_WORKER_LIVENESS_RESTART_AFTER_MS",
    "QUILBUN_PLUGINS",
  ])
})

test("log levels map onto Effect's levels", () => {
  expect(toEffectLogLevel["warning"]).toBe(LogLevel.Warning)
  expect(toEffectLogLevel["trace"]).toBe(LogLevel.Trace)
  expect(toEffectLogLevel["error"]).toBe(LogLevel.Error)
  expect(toEffectLogLevel["fatal"]).toBe(LogLevel.Fatal)
})

describe("file-system failures name what failed, once", () => {
  test("a data dir that cannot be created is blamed on dataDir (no --config was given), with its errno once", () => {
    const cwd = tmp()
    writeFileSync(join(cwd, "blocker"), "a file where a directory should be")
    const e = Effect.runSync(Effect.flip(ensureConfigFile(input(cwd, { argv: ["--data-dir", "blocker/node"] }))))
    expect(e.path).toBe("dataDir")
    expect(e.value).toBe(join(cwd, "blocker", "node"))
    expect(e.message).toContain("ENOTDIR: not a directory")
    expect(e.message).not.toContain("--config")
    expect(e.message.match(/ENOTDIR/g)).toHaveLength(1)
  })

  test("errorReason adds the errno code only when the message lacks it", () => {
    const node = Object.assign(new Error("EROFS: read-only file system, mkdir '/x'"), { code: "EROFS" })
    expect(errorReason(node)).toBe("EROFS: read-only file system, mkdir '/x'")
    const bare = Object.assign(new Error("read-only file system"), { code: "EROFS" })
    expect(errorReason(bare)).toBe("EROFS: read-only file system")
  })
})
