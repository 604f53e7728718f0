// The wallet's secrets (spec §11.5, D-TOKEN-12): `<walletDir>/wallet.key`, 112 bytes = view secret v ‖
// spend secret s (56-byte little-endian scalars), created on first use with mode 0600 in a 0700
// directory. A file that group or others may read or write is refused, never used or "fixed".
import { randomBytes } from "node:crypto"
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { SCALAR_BYTES } from "../constants.ts"
import { mod, scalarFromBytes, scalarToBytes } from "../decaf.ts"
import type { WalletKeys } from "../stealth.ts"
import { WalletError } from "./errors.ts"

export const KEY_FILE = "wallet.key"

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** A fresh non-zero scalar from 64 random bytes (reduced mod ℓ: the bias is negligible). */
const freshScalar = (): bigint => {
  for (;;) {
    const k = mod(BigInt(`0x${randomBytes(64).toString("hex")}`))
    if (k !== 0n) return k
  }
}

const decodeKeys = (path: string, bytes: Uint8Array): Effect.Effect<WalletKeys, WalletError> => {
  const viewSecret = bytes.length === 2 * SCALAR_BYTES ? scalarFromBytes(bytes.subarray(0, SCALAR_BYTES)) : undefined
  const spendSecret = bytes.length === 2 * SCALAR_BYTES ? scalarFromBytes(bytes.subarray(SCALAR_BYTES)) : undefined
  if (viewSecret === undefined || spendSecret === undefined || viewSecret === 0n || spendSecret === 0n) {
    return Effect.fail(new WalletError({ reason: `${path}: not a wallet key file (expected two non-zero 56-byte scalars)` }))
  }
  return Effect.succeed({ viewSecret, spendSecret })
}

/** Loads the wallet's keys from `dir`, creating them (and the directory) on first use. */
export const loadOrCreateKeys = (dir: string): Effect.Effect<WalletKeys, WalletError> =>
  Effect.gen(function* () {
    const path = join(dir, KEY_FILE)
    if (!existsSync(path)) {
      const keys = { viewSecret: freshScalar(), spendSecret: freshScalar() }
      const bytes = new Uint8Array(2 * SCALAR_BYTES)
      bytes.set(scalarToBytes(keys.viewSecret), 0)
      bytes.set(scalarToBytes(keys.spendSecret), SCALAR_BYTES)
      yield* Effect.try({
        try: () => {
          mkdirSync(dir, { recursive: true, mode: 0o700 })
          // `wx`: never overwrite a key file another process created meanwhile; chmod because umask may narrow `mode` only.
          writeFileSync(path, bytes, { mode: 0o600, flag: "wx" })
          chmodSync(path, 0o600)
        },
        catch: (e) => new WalletError({ reason: `cannot create ${path}: ${message(e)}` }),
      })
      return keys
    }
    const mode = yield* Effect.try({ try: () => statSync(path).mode & 0o777, catch: (e) => new WalletError({ reason: `cannot read ${path}: ${message(e)}` }) })
    if ((mode & 0o077) !== 0) {
      return yield* Effect.fail(
        new WalletError({ reason: `${path} has mode ${mode.toString(8).padStart(4, "0")}: group or others may access the wallet keys; run chmod 600 ${path}` }),
      )
    }
    const bytes = yield* Effect.try({
      try: () => new Uint8Array(readFileSync(path)),
      catch: (e) => new WalletError({ reason: `cannot read ${path}: ${message(e)}` }),
    })
    return yield* decodeKeys(path, bytes)
  })
