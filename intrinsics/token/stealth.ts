// Stealth addressing (spec §2.3, §2.5 steps 1–5, §11.4 items 4–5): accounts are `V ‖ S` (112 bytes,
// the view and spend public keys); every output gets a fresh one-time key R = r·G, the shared scalar
// k = HashToScalar(r·V), the verification key VK = k·G + S (spend secret k + s), and its masked value
// and blind (cSHAKE256 masks of k·G). Transparent coins fill the masks exactly as confidential ones
// do (the blind is 0), so the later view-key scanner reads both unchanged.
import { cshake256 } from "@noble/hashes/sha3-addons.js"
import { bigintToLe, decodePoint, hashToScalar, leToBigint, mod, mulBase, mulSecret, type Point } from "./decaf.ts"
import { POINT_BYTES } from "./constants.ts"

const ACCOUNT_BYTES = 2 * POINT_BYTES

/** The public account `V ‖ S`. */
export interface Account {
  readonly view: Uint8Array
  readonly spend: Uint8Array
}

/** The wallet's two secrets (the reference's "q-view-key" v and "q-spend-key" s). */
export interface WalletKeys {
  readonly viewSecret: bigint
  readonly spendSecret: bigint
}

export const accountOf = (keys: WalletKeys): Account => ({ view: mulBase(keys.viewSecret).toBytes(), spend: mulBase(keys.spendSecret).toBytes() })

export const encodeAccount = (a: Account): Uint8Array => {
  const out = new Uint8Array(ACCOUNT_BYTES)
  out.set(a.view, 0)
  out.set(a.spend, POINT_BYTES)
  return out
}

/** 112 bytes holding two canonical points, else undefined. */
export const decodeAccount = (bytes: Uint8Array): Account | undefined => {
  if (bytes.length !== ACCOUNT_BYTES) return undefined
  const view = bytes.slice(0, POINT_BYTES)
  const spend = bytes.slice(POINT_BYTES)
  return decodePoint(view) === undefined || decodePoint(spend) === undefined ? undefined : { view, spend }
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const COIN = utf8("coin")
const BLIND = utf8("blind")

/** `cSHAKE256(N = "", S = label)(k·G)`, first 56 bytes (spec §2.5 step 4). */
const mask = (kG: Uint8Array, label: Uint8Array): Uint8Array => cshake256(kG, { personalization: label, dkLen: POINT_BYTES })

const xor = (a: Uint8Array, b: Uint8Array): Uint8Array => a.map((x, i) => x ^ (b[i] ?? 0))

/** What an output publishes for its recipient (the reference's RecipientBundle, spec §2.6.1). */
export interface RecipientOutput {
  readonly oneTimeKey: Uint8Array
  readonly verificationKey: Uint8Array
  readonly coinBalance: Uint8Array
  readonly mask: Uint8Array
}

/**
 * The output fields for `account` with ephemeral scalar `r` and public `value`; undefined when the
 * account's keys are not points. `value` is written LE56 and masked; the blind is 0 (transparent).
 */
export const recipientOutput = (account: Account, r: bigint, value: bigint): RecipientOutput | undefined => {
  const V = decodePoint(account.view)
  const S = decodePoint(account.spend)
  if (V === undefined || S === undefined || mod(r) === 0n) return undefined
  const k = hashToScalar(mulSecret(V, r).toBytes())
  const kG = mulBase(k)
  const vk = kG.add(S)
  const kGBytes = kG.toBytes()
  return {
    oneTimeKey: mulBase(r).toBytes(),
    verificationKey: vk.toBytes(),
    coinBalance: xor(bigintToLe(value, POINT_BYTES), mask(kGBytes, COIN)),
    mask: mask(kGBytes, BLIND),
  }
}

/** What the view key reveals of an output: the shared scalar k and the unmasked value and blind. */
export interface Scanned {
  readonly k: bigint
  readonly value: bigint
  readonly blind: bigint
}

/**
 * The scanner's test (spec §11.5 `coins`): recompute `k = HashToScalar(v·R)`, check `VK == k·G + S`,
 * unmask value and blind. Needs only the view secret and the spend public key. Undefined when the
 * output is not the account's or its keys are not points.
 */
export const scanOutput = (viewSecret: bigint, spend: Point, out: RecipientOutput): Scanned | undefined => {
  const R = decodePoint(out.oneTimeKey)
  const VK = decodePoint(out.verificationKey)
  if (R === undefined || VK === undefined) return undefined
  const k = hashToScalar(mulSecret(R, viewSecret).toBytes())
  const kG = mulBase(k)
  if (!kG.add(spend).equals(VK)) return undefined
  const kGBytes = kG.toBytes()
  return { k, value: leToBigint(xor(out.coinBalance, mask(kGBytes, COIN))), blind: leToBigint(xor(out.mask, mask(kGBytes, BLIND))) }
}

/** An output the wallet owns: its one-time spend secret `k + s` and its unmasked value. */
export interface Owned extends Scanned {
  readonly secret: bigint
}

export const recoverOutput = (keys: WalletKeys, out: RecipientOutput): Owned | undefined => {
  const scanned = scanOutput(keys.viewSecret, mulBase(keys.spendSecret), out)
  return scanned === undefined ? undefined : { ...scanned, secret: mod(scanned.k + keys.spendSecret) }
}
