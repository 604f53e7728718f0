// Checks every hypergraph operation shares: the routed domain (spec §11.3 #6), the fee (§11.3 #37),
// the instance behind a domain (its metadata vertex, §1.8) and Ed448 signatures by its write key
// (§3.8). Each answers a typed OpError naming the operation.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { atomId, bytesEqual, type ExecCtx, METADATA_ADDRESS, OpError, type ReadView, vertex } from "../contract/index.ts"
import { concatBytes } from "@noble/hashes/utils.js"
import { signatureDomain } from "./markers.ts"
import { decodeMetadata, type InstanceMetadata, isHypergraphInstance } from "./metadata.ts"

export const invalid = (opType: number, reason: string): OpError => new OpError({ kind: "invalid", opType, reason })
export const stateError = (opType: number, reason: string): OpError => new OpError({ kind: "state", opType, reason })

export const metadataId = (domain: Uint8Array): Uint8Array => atomId(domain, METADATA_ADDRESS)

export const targetsRoutedDomain = (opType: number, domain: Uint8Array, ctx: ExecCtx): Effect.Effect<void, OpError> =>
  bytesEqual(domain, ctx.routedDomain) ? Effect.void : Effect.fail(invalid(opType, "the operation's domain is not the domain it was routed to"))

export const paysFee = (opType: number, cost: bigint, ctx: ExecCtx): Effect.Effect<void, OpError> =>
  ctx.feePaid >= cost * ctx.feeMultiplier
    ? Effect.void
    : Effect.fail(new OpError({ kind: "insufficient-fee", opType, reason: `paid ${ctx.feePaid}, needs ${cost} × ${ctx.feeMultiplier}` }))

/** The instance metadata of `domain`, read through the view; absent, removed or foreign is a state error. */
export const readInstance = (opType: number, domain: Uint8Array, view: ReadView, baseDomain: Uint8Array): Effect.Effect<InstanceMetadata, OpError> => {
  const found = view.get(vertex(metadataId(domain)))
  if (found._tag !== "Present") return Effect.fail(stateError(opType, "no hypergraph instance is deployed at this domain"))
  const meta = decodeMetadata(found.value)
  if (Either.isLeft(meta)) return Effect.fail(new OpError({ kind: "state", opType, reason: meta.left.reason }))
  if (!isHypergraphInstance(meta.right, baseDomain)) return Effect.fail(stateError(opType, "the domain is not a hypergraph instance"))
  return Effect.succeed(meta.right)
}

/** The bytes Ed448 signs: `domain ‖ OPNAME ‖ message` (DECISIONS.md: the domain is prepended, as BLS does). */
export const ed448SignedBytes = (domain: Uint8Array, opName: string, message: Uint8Array): Uint8Array => concatBytes(signatureDomain(domain, opName), message)

/** Verifies a write by the instance's write key. */
export const verifyWriteSignature = (
  opType: number,
  meta: InstanceMetadata,
  domain: Uint8Array,
  opName: string,
  message: Uint8Array,
  signature: Uint8Array,
  ctx: ExecCtx,
): Effect.Effect<void, OpError> => {
  const verify = ctx.crypto.ed448Verify
  if (verify === undefined) return Effect.fail(invalid(opType, "the host binds no Ed448 verification"))
  return verify(meta.config.writePublicKey, signature, ed448SignedBytes(domain, opName, message))
    ? Effect.void
    : Effect.fail(invalid(opType, "the signature is not by the instance's write key"))
}

/** Writes to the metadata address through a data operation would overwrite the instance itself. */
export const notMetadataAddress = (opType: number, address: Uint8Array): Effect.Effect<void, OpError> =>
  bytesEqual(address, METADATA_ADDRESS) ? Effect.fail(invalid(opType, "the metadata address 0xff×32 is not a data address")) : Effect.void
