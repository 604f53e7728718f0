import { afterEach, expect, test } from "bun:test"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ed448 } from "@noble/curves/ed448.js"
import { ed25519 } from "@noble/curves/ed25519.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Either, Redacted } from "effect"
import { ensureKeys, KEY_FILES, loadConfig, summarizeConfig, REDACTED } from "../../../config/index.ts"

const dirs: Array<string> = []
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "quilbun-keys-"))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

test("first start creates every key 0600 in 0700 dirs; later starts read the same keys", () => {
  const dataDir = join(tmp(), "node")
  const first = Effect.runSync(ensureKeys(dataDir))
  expect(first.created.length).toBe(4)
  for (const rel of Object.values(KEY_FILES)) expect(statSync(join(dataDir, rel)).mode & 0o777).toBe(0o600)
  expect(statSync(dataDir).mode & 0o777).toBe(0o700)
  expect(statSync(join(dataDir, "keys")).mode & 0o777).toBe(0o700)
  expect(readdirSync(join(dataDir, "keys")).sort()).toEqual(["identity.key", "peer.key", "prover.key"]) // no temp files left

  const peer = new Uint8Array(readFileSync(join(dataDir, KEY_FILES.peer)))
  const identity = new Uint8Array(readFileSync(join(dataDir, KEY_FILES.identity)))
  expect(peer.length).toBe(32)
  expect(identity.length).toBe(57)
  expect(readFileSync(join(dataDir, KEY_FILES.prover)).length).toBe(32)
  expect(Redacted.value(first.peer.secretKey)).toEqual(peer)
  expect(first.peer.publicKey).toEqual(ed25519.getPublicKey(peer))
  expect(first.identity.publicKey).toEqual(ed448.getPublicKey(identity))
  expect(first.nodeId).toBe(bytesToHex(sha256(ed448.getPublicKey(identity)).subarray(0, 16)))
  expect(Redacted.value(first.apiToken)).toMatch(/^[0-9a-f]{64}$/)

  const again = Effect.runSync(ensureKeys(dataDir))
  expect(again.created).toEqual([])
  expect(again.nodeId).toBe(first.nodeId)
  expect(Redacted.value(again.prover.ikm)).toEqual(Redacted.value(first.prover.ikm))
  expect(Redacted.value(again.apiToken)).toBe(Redacted.value(first.apiToken))

  const other = Effect.runSync(ensureKeys(join(tmp(), "node2")))
  expect(other.nodeId).not.toBe(first.nodeId)
})

test("secrets never show up when keys or summaries are printed", () => {
  const dataDir = tmp()
  const keys = Effect.runSync(ensureKeys(dataDir))
  const token = Redacted.value(keys.apiToken)
  const secretHex = bytesToHex(Redacted.value(keys.identity.secretKey))
  const config = Effect.runSync(loadConfig({ argv: ["--data-dir", dataDir], env: {}, cores: 2, cwd: dataDir }))
  const summary = summarizeConfig(config, keys)
  for (const text of [JSON.stringify(summary), String(keys.apiToken), JSON.stringify(keys), Bun.inspect(keys)]) {
    expect(text.includes(token)).toBe(false)
    expect(text.includes(secretHex)).toBe(false)
  }
  expect(summary.identity?.apiToken).toBe(REDACTED)
  expect(summary.identity?.nodeId).toBe(keys.nodeId)
  expect(summary.config.api.listen).toBe("127.0.0.1:8337")
})

test("a key file of the wrong length is a typed error naming the file", () => {
  const dataDir = tmp()
  Effect.runSync(ensureKeys(dataDir))
  const file = join(dataDir, KEY_FILES.identity)
  writeFileSync(file, new Uint8Array(56))
  const r = Effect.runSync(Effect.either(ensureKeys(dataDir)))
  if (Either.isRight(r)) throw new Error("expected KeyFileError")
  expect(r.left._tag).toBe("KeyFileError")
  expect(r.left.path).toBe(file)
  expect(r.left.message).toBe(`keys: ${file}: expected 57 bytes, found 56`)

  writeFileSync(file, new Uint8Array(57))
  writeFileSync(join(dataDir, KEY_FILES.apiToken), "short\n")
  const t = Effect.runSync(Effect.either(ensureKeys(dataDir)))
  expect(Either.isLeft(t) && t.left.path).toBe(join(dataDir, KEY_FILES.apiToken))
})

test("a key path that is a directory is refused naming the key file, not the data dir", () => {
  const dataDir = join(tmp(), "node")
  mkdirSync(join(dataDir, KEY_FILES.peer), { recursive: true })
  const e = Effect.runSync(Effect.flip(ensureKeys(dataDir)))
  expect(e.message).toBe(`keys: ${join(dataDir, KEY_FILES.peer)}: is a directory, not a key file`)
  expect(readdirSync(join(dataDir, "keys"))).toEqual(["peer.key"]) // nothing generated beside it
})

test("a key that cannot be written is blamed on its own path, its errno named once", () => {
  const dataDir = join(tmp(), "node")
  // keys/ is a regular file: the error names keys/, not the data dir
  mkdirSync(dataDir)
  writeFileSync(join(dataDir, "keys"), "not a directory")
  const e = Effect.runSync(Effect.flip(ensureKeys(dataDir)))
  expect(e.path).toBe(join(dataDir, "keys"))
  expect(e.message).not.toMatch(/(E[A-Z]+): \1/)
})
