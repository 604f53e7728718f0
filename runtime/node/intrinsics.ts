// The intrinsics a node runs and the crypto it binds them to. Built-ins use the same contract a
// plugin does (intrinsics/contract): the hypergraph and the token (QUIL); plugins join at load. The crypto is
// the native library (BLS48-581, KZG, Poseidon) loaded on first use, so a process that never verifies
// a BLS signature or commits a KZG vector never loads it, and SHA-2 / Ed448 in TypeScript.
import { sha256, sha512 } from "@noble/hashes/sha2.js"
import * as Effect from "effect/Effect"
import { type Bls, makeBls } from "../../crates/ts/bls/bls.ts"
import { type Kzg, makeKzg } from "../../crates/ts/bls/kzg.ts"
import { ed448Verify } from "../../crates/ts/ed448.ts"
import { choosePoseidon } from "../../crates/ts/poseidon-live.ts"
import type { PoseidonHash } from "../../crates/ts/services.ts"
import { Status } from "../../crates/ts/status.ts"
import { loadNativeVdf } from "../../crates/ts/vdf/native.ts"
import { verifyMulti as verifyMultiTs } from "../../crates/ts/vdf/wesolowski.ts"
import { type BuildEnv, BuildError, type CryptoServices, type Intrinsic } from "../../intrinsics/contract/index.ts"
import { decodeEntries } from "../../intrinsics/hypergraph/entries.ts"
import { hypergraphIntrinsic } from "../../intrinsics/hypergraph/index.ts"
import { makeTokenIntrinsic } from "../../intrinsics/token/index.ts"
import { bytesEqual, METADATA_ADDRESS } from "../../intrinsics/contract/index.ts"

let bls: Bls | undefined
let kzg: Kzg | undefined
// Both throw when the native library is missing: CryptoServices are plain functions, and the host
// and the builders turn a throw inside an operation into a typed failure of that operation.
const nativeBls = (): Bls => {
  bls ??= Effect.runSync(makeBls())
  return bls
}
const nativeKzg = (): Kzg => {
  kzg ??= Effect.runSync(makeKzg())
  return kzg
}
let poseidon: PoseidonHash | undefined
// Native when the library loads, else poseidon.ts: the same bytes (test/unit/crates/poseidon-native.test.ts).
const nodePoseidon: PoseidonHash = (data) => {
  poseidon ??= choosePoseidon().hash
  return poseidon(data)
}

// The token's queries read Poseidon markers and get no crypto from the host, so it is bound here.
export const builtInIntrinsics: ReadonlyArray<Intrinsic> = [hypergraphIntrinsic, makeTokenIntrinsic(nodePoseidon)]

/**
 * The intrinsic type tag of a deployed instance: the value under key `0xff×32` of its metadata vertex
 * (spec §1.8). Every built-in stores metadata as the hypergraph's canonical entry list, so one reader
 * serves the resolver for all of them; anything else names no intrinsic.
 */
export const instanceTypeTag = (metadata: Uint8Array): Uint8Array | undefined => {
  const entries = decodeEntries(metadata)
  if (entries._tag === "Left") return undefined
  return entries.right.find((e) => bytesEqual(e.key, METADATA_ADDRESS))?.value
}

/** Native when the library loads, else the TypeScript verifier (same answers, crates/ts/vdf). */
const vdfVerifyMulti: NonNullable<CryptoServices["vdfVerifyMulti"]> = (challenge, iterations, ids, blobs) => {
  const native = loadNativeVdf()
  return "unavailable" in native
    ? verifyMultiTs(challenge, iterations, ids, blobs) === "valid"
    : native.verifyMulti(challenge, iterations, ids, blobs) === Status.Ok
}

export const nodeCryptoServices: CryptoServices = {
  poseidon: nodePoseidon,
  sha256: (data) => sha256(data),
  sha512: (data) => sha512(data),
  blsVerify: (publicKey, signature, msg, domain) => Effect.runSync(Effect.orElseSucceed(nativeBls().verify(publicKey, signature, domain, msg), () => false)),
  ed448Verify: (publicKey, signature, msg) => ed448Verify(signature, msg, publicKey),
  kzgCommit: (evaluations, polySize) => Effect.runSync(nativeKzg().commit(evaluations, polySize)),
  vdfVerifyMulti,
}

/**
 * What builders get in the CLI and in intrinsic HTTP routes: the node's crypto plus BLS48-581
 * signing (native, loaded on first use). Builders read no node state through it yet.
 */
export const nodeBuildEnv: BuildEnv = {
  crypto: nodeCryptoServices,
  frameNumber: 0n,
  read: () => Effect.fail(new BuildError({ reason: "builders read no node state yet" })),
  blsSign: (secretKey, message, domain) => Effect.runSync(nativeBls().sign(secretKey, domain, message)),
}
