// Node keys, generated on first start into the data dir (files 0600, dirs 0700, atomic writes)
// and read back (length-checked) afterwards. Secrets are wrapped in Redacted so that logging a
// NodeKeys value prints `<redacted>` instead of key material.
//
//   keys/peer.key      32 bytes  Ed25519 secret key, the libp2p host identity
//   keys/prover.key    32 bytes  random IKM; the crypto layer derives the BLS48-581 prover key from it
//   keys/identity.key  57 bytes  Ed448 secret key, the node's signing identity
//   api.token          64 hex chars (32 random bytes), the admin API bearer token
//
// Node id = lowercase hex of the first 16 bytes of SHA-256(Ed448 public key).
//
// Once the data dir holds a chain (`keysMustExist`), a missing key file is refused instead of
// generated: a new key is a different node and a different prover, and the chain would no longer
// recognise it. The API token carries no identity, so it is regenerated (and reported in `created`).
import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { ed25519 } from "@noble/curves/ed25519.js"
import { ed448 } from "@noble/curves/ed448.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex, randomBytes } from "@noble/hashes/utils.js"
import { Data, Effect, Redacted } from "effect"
import { ensurePrivateDir, errorReason, writeFileAtomic } from "./fs.ts"

export class KeyFileError extends Data.TaggedError("KeyFileError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `keys: ${this.path}: ${this.reason}`
  }
}

export interface NodeKeys {
  readonly peer: { readonly secretKey: Redacted.Redacted<Uint8Array>; readonly publicKey: Uint8Array }
  readonly prover: { readonly ikm: Redacted.Redacted<Uint8Array> }
  readonly identity: { readonly secretKey: Redacted.Redacted<Uint8Array>; readonly publicKey: Uint8Array }
  readonly apiToken: Redacted.Redacted<string>
  /** hex(SHA-256(identity public key)[0..16]) */
  readonly nodeId: string
  /** Files created by this call (empty on later starts). */
  readonly created: ReadonlyArray<string>
}

export const KEY_FILES = {
  peer: join("keys", "peer.key"),
  prover: join("keys", "prover.key"),
  identity: join("keys", "identity.key"),
  apiToken: "api.token",
} as const

const nodeIdOf = (identityPublicKey: Uint8Array): string => bytesToHex(sha256(identityPublicKey).subarray(0, 16))

export interface EnsureKeysOptions {
  /** The data dir holds a chain (chain.json): refuse to generate peer, prover or identity keys. */
  readonly keysMustExist?: boolean
}

/** Runs a file operation on `path`; a failure names that path, not the data dir. */
const atPath = <A>(path: string, f: () => A): A => {
  try {
    return f()
  } catch (e) {
    throw e instanceof KeyFileError ? e : new KeyFileError({ path, reason: errorReason(e) })
  }
}

/** Whether the key file exists; something else at its path (a directory, a device) is refused by name. */
const keyFileExists = (path: string): boolean =>
  atPath(path, () => {
    if (!existsSync(path)) return false
    const stat = statSync(path)
    if (!stat.isFile()) {
      throw new KeyFileError({ path, reason: `is a ${stat.isDirectory() ? "directory" : "special file"}, not a key file` })
    }
    return true
  })

/** Reads a fixed-length binary key file, or creates it with `generate()` when missing (and allowed). */
const binaryKey = (path: string, length: number, generate: () => Uint8Array, created: Array<string>, mustExist: boolean): Uint8Array =>
  atPath(path, () => binaryKeyAt(path, length, generate, created, mustExist))

const binaryKeyAt = (path: string, length: number, generate: () => Uint8Array, created: Array<string>, mustExist: boolean): Uint8Array => {
  if (!keyFileExists(path)) {
    if (mustExist) {
      throw new KeyFileError({
        path,
        reason: "missing, and this data dir holds a chain (chain.json): a new key would be a different node; restore the file, or start on a new data dir",
      })
    }
    const bytes = generate()
    writeFileAtomic(path, bytes)
    created.push(path)
    return bytes
  }
  const bytes = new Uint8Array(readFileSync(path))
  if (bytes.length !== length) {
    throw new KeyFileError({ path, reason: `expected ${length} bytes, found ${bytes.length}` })
  }
  return bytes
}

const tokenKey = (path: string, created: Array<string>): string => atPath(path, () => tokenKeyAt(path, created))

const tokenKeyAt = (path: string, created: Array<string>): string => {
  if (!keyFileExists(path)) {
    const token = bytesToHex(randomBytes(32))
    writeFileAtomic(path, `${token}\n`)
    created.push(path)
    return token
  }
  const token = readFileSync(path, "utf8").trim()
  if (!/^[0-9a-f]{64}$/.test(token)) {
    throw new KeyFileError({ path, reason: `expected 64 lowercase hex characters, found ${token.length} characters` })
  }
  return token
}

/** Creates missing keys and reads back existing ones. Never logs key material. */
export const ensureKeys = (dataDir: string, options: EnsureKeysOptions = {}): Effect.Effect<NodeKeys, KeyFileError> =>
  Effect.try({
    try: (): NodeKeys => {
      atPath(dataDir, () => ensurePrivateDir(dataDir))
      atPath(join(dataDir, "keys"), () => ensurePrivateDir(join(dataDir, "keys")))
      const created: Array<string> = []
      const must = options.keysMustExist === true
      const peer = binaryKey(join(dataDir, KEY_FILES.peer), 32, () => ed25519.utils.randomSecretKey(), created, must)
      const prover = binaryKey(join(dataDir, KEY_FILES.prover), 32, () => randomBytes(32), created, must)
      const identity = binaryKey(join(dataDir, KEY_FILES.identity), 57, () => ed448.utils.randomSecretKey(), created, must)
      const apiToken = tokenKey(join(dataDir, KEY_FILES.apiToken), created)
      const identityPublic = ed448.getPublicKey(identity)
      return {
        peer: { secretKey: Redacted.make(peer), publicKey: ed25519.getPublicKey(peer) },
        prover: { ikm: Redacted.make(prover) },
        identity: { secretKey: Redacted.make(identity), publicKey: identityPublic },
        apiToken: Redacted.make(apiToken),
        nodeId: nodeIdOf(identityPublic),
        created,
      }
    },
    catch: (e) => (e instanceof KeyFileError ? e : new KeyFileError({ path: dataDir, reason: errorReason(e) })),
  })
