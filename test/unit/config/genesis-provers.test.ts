// engine.genesisProvers: the shared devnet committee (hex BLS48-581 public keys), from YAML, env or --set.
import { bytesToHex } from "@noble/hashes/utils.js"
import { afterEach, expect, test } from "bun:test"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either } from "effect"
import { CONFIG_EXIT_CODE, configErrorExit, type ConfigError, loadConfig, type LoadConfigInput } from "../../../config/index.ts"
import { BLS_PUBLIC_KEY_HEX_LENGTH } from "../../../config/schema.ts"

const dirs: Array<string> = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "quilbun-genesis-"))
  dirs.push(d)
  return d
}
const input = (cwd: string, over: Partial<LoadConfigInput> = {}): LoadConfigInput => ({ argv: [], env: {}, cores: 2, cwd, ...over })
const load = (i: LoadConfigInput) => Effect.runSync(loadConfig(i))
const fail = (i: LoadConfigInput): ConfigError => {
  const r = Effect.runSync(Effect.either(loadConfig(i)))
  if (Either.isRight(r)) throw new Error("expected a ConfigError")
  return r.left
}
const key = (byte: number): string => bytesToHex(new Uint8Array(BLS_PUBLIC_KEY_HEX_LENGTH / 2).fill(byte))

test("absent by default: the single-node devnet", () => {
  expect(load(input(tmp())).engine.genesisProvers).toBeUndefined()
})

test("read from YAML, env (comma list) and --set", () => {
  const cwd = tmp()
  const file = join(cwd, "config.yml")
  writeFileSync(file, `engine:\n  genesisProvers:\n    - ${key(0xa1)}\n    - ${key(0xa2)}\n`)
  expect(load(input(cwd, { argv: ["--config", file] })).engine.genesisProvers).toEqual([key(0xa1), key(0xa2)])
  expect(load(input(cwd, { env: { QUILBUN_ENGINE_GENESIS_PROVERS: `${key(0xa3)},${key(0xa4)}` } })).engine.genesisProvers).toEqual([key(0xa3), key(0xa4)])
  expect(load(input(cwd, { argv: ["--set", `engine.genesisProvers=${key(0xa5)}`] })).engine.genesisProvers).toEqual([key(0xa5)])
})

test("a malformed or repeated key is a typed config error (exit 2)", () => {
  const cwd = tmp()
  const short = fail(input(cwd, { argv: ["--set", "engine.genesisProvers=abcd"] }))
  expect(short.path).toBe("engine.genesisProvers[0]")
  expect(short.reason).toContain(`${BLS_PUBLIC_KEY_HEX_LENGTH} hex characters`)
  expect(configErrorExit(short).code).toBe(CONFIG_EXIT_CODE)
  expect(CONFIG_EXIT_CODE).toBe(2)
  const notHex = fail(input(cwd, { env: { QUILBUN_ENGINE_GENESIS_PROVERS: "zz".repeat(BLS_PUBLIC_KEY_HEX_LENGTH / 2) } }))
  expect(notHex.path).toStartWith("engine.genesisProvers")
  const twice = fail(input(cwd, { env: { QUILBUN_ENGINE_GENESIS_PROVERS: `${key(0xab)},${key(0xab).toUpperCase()}` } }))
  expect(twice.reason).toContain("listed twice")
})
