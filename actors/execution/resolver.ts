// The one resolver (spec §1.6, §11.1 "the host keeps", §11.3 #5, #7): routing, locking and
// application all go through it. It decodes a routed bundle, resolves its domain to an
// intrinsic (base domain or fixed instance directly, else the type tag of the instance's
// metadata vertex read through the view), dispatches every request to its owner by op type,
// checks activation gates, and computes each request's access set with its own plugin.
import * as Either from "effect/Either"
import {
  type AccessSet,
  atomId,
  bytesEqual,
  type CryptoServices,
  type DecodedOp,
  type FeeRole,
  type Intrinsic,
  type IntrinsicRegistry,
  isActive,
  METADATA_ADDRESS,
  OpError,
  type ReadView,
  vertex,
} from "../../intrinsics/contract/index.ts"
import { readBundle, type RoutedBundle } from "./bundle.ts"
import { BundleFailure, pluginThrew } from "./failure.ts"

export interface ResolverConfig {
  readonly registry: IntrinsicRegistry
  /** 0 = mainnet (activation gates, §1.6 step 2). */
  readonly network: number
  readonly crypto: CryptoServices
  /**
   * The intrinsic type tag (a base domain) stored in a deployed instance's metadata vertex
   * (key `0xff×32` of its tree, §1.8). Parsing the tree belongs to the trie module; until it is
   * plugged in, deployed instances do not resolve (`undefined`).
   */
  readonly typeTagOf: (metadata: Uint8Array) => Uint8Array | undefined
}

export interface ResolvedRequest {
  /** Position in the bundle. */
  readonly index: number
  readonly intrinsic: Intrinsic
  readonly op: DecodedOp
  readonly feeRole: FeeRole
  readonly producesFees: boolean
  /** The domain the request runs against (ExecCtx.routedDomain). */
  readonly routedDomain: Uint8Array
  readonly access: AccessSet
}

export interface ResolvedBundle {
  readonly bundle: RoutedBundle
  readonly requests: ReadonlyArray<ResolvedRequest>
}

const fail = (reason: BundleFailure["reason"], detail: string, request?: number): BundleFailure => new BundleFailure({ reason, request, detail })

/** The intrinsic a domain routes to: directly by base domain / fixed instance, else by the metadata type tag. */
const routeDomain = (config: ResolverConfig, domain: Uint8Array, view: ReadView): Intrinsic | BundleFailure => {
  const direct = config.registry.byDomain(domain)
  if (direct !== undefined) return direct
  const metadata = view.get(vertex(atomId(domain, METADATA_ADDRESS)))
  if (metadata._tag !== "Present") return fail("unknown-domain", "no intrinsic or instance at this domain")
  const tag = config.typeTagOf(metadata.value)
  const owner = tag === undefined ? undefined : config.registry.byDomain(tag)
  // Only a base domain is a type tag: a fixed instance is never deployed.
  if (tag === undefined || owner === undefined || !bytesEqual(owner.manifest.baseDomain, tag)) {
    return fail("unknown-domain", "the instance's metadata names no loaded intrinsic")
  }
  return owner
}

/**
 * Where a request of another intrinsic than the routed one runs: at that intrinsic's single
 * fixed instance (a QUIL fee payment inside a hypergraph bundle), else nowhere (DECISIONS D-EXEC-14).
 */
const foreignDomain = (owner: Intrinsic): Uint8Array | undefined => {
  const fixed = owner.manifest.fixedInstances
  return fixed.length === 1 ? fixed[0]?.address : undefined
}

// Imperative (early returns, no Either.gen; a failure is the BundleFailure itself, not wrapped):
// this runs for every request on the hot path.
const resolveRequest = (
  config: ResolverConfig,
  routed: Intrinsic,
  domain: Uint8Array,
  bytes: Uint8Array,
  index: number,
  frameNumber: bigint,
): ResolvedRequest | BundleFailure => {
  if (bytes.length < 4) return fail("malformed", "shorter than a type prefix", index)
  const opType = (bytes[0] ?? 0) * 0x1000000 + ((bytes[1] ?? 0) << 16) + ((bytes[2] ?? 0) << 8) + (bytes[3] ?? 0)
  const route = config.registry.route(opType)
  if (route === undefined) return fail("unknown-op-type", `no loaded intrinsic owns op type 0x${opType.toString(16)}`, index)
  const owner = route.intrinsic
  if (!isActive(owner.manifest, frameNumber, config.network)) return fail("inactive", `${owner.manifest.name} is not active at frame ${frameNumber}`, index)
  // What `registry.decode` does after its own prefix and owner checks (made just above), without
  // wrapping the result a second time.
  const decoded = route.operation.decode(bytes)
  if (Either.isLeft(decoded)) return fail("malformed", decoded.left.message, index)
  const op = decoded.right
  const routedDomain = owner === routed ? domain : foreignDomain(owner)
  if (routedDomain === undefined) return fail("foreign-request", `a ${owner.manifest.name} request cannot run in a ${routed.manifest.name} bundle`, index)
  let access: AccessSet
  try {
    access = op.accessSet({ frameNumber, routedDomain, crypto: config.crypto })
  } catch (e) {
    return pluginThrew(index, "accessSet", e)
  }
  if (!Array.isArray(access?.reads) || !Array.isArray(access?.writes)) return fail("garbage", "accessSet returned no id lists", index)
  return {
    index,
    intrinsic: owner,
    op,
    feeRole: route.feeRole,
    producesFees: route.producesFees,
    routedDomain,
    access,
  }
}

/** Decodes and resolves one bundle against `view` (committed state, or the frame overlay when applying). */
export const resolveBundle = (config: ResolverConfig, bytes: Uint8Array, frameNumber: bigint, view: ReadView): Either.Either<ResolvedBundle, BundleFailure> => {
  const bundle = readBundle(bytes)
  if (bundle instanceof OpError) return Either.left(fail("malformed", bundle.message))
  const requests = resolveRequests(config, bundle, frameNumber, view)
  return requests instanceof BundleFailure ? Either.left(requests) : Either.right({ bundle, requests })
}

/** `resolveBundle` for the host's hot path: the requests alone, a failure as the BundleFailure itself (no wrappers per bundle). */
export const resolveBundleRequests = (
  config: ResolverConfig,
  bytes: Uint8Array,
  frameNumber: bigint,
  view: ReadView,
): ReadonlyArray<ResolvedRequest> | BundleFailure => {
  const bundle = readBundle(bytes)
  return bundle instanceof OpError ? fail("malformed", bundle.message) : resolveRequests(config, bundle, frameNumber, view)
}

const resolveRequests = (config: ResolverConfig, bundle: RoutedBundle, frameNumber: bigint, view: ReadView): Array<ResolvedRequest> | BundleFailure => {
  const routed = routeDomain(config, bundle.domain, view)
  if (routed instanceof BundleFailure) return routed
  if (!isActive(routed.manifest, frameNumber, config.network)) return fail("inactive", `${routed.manifest.name} is not active at frame ${frameNumber}`)
  const requests: Array<ResolvedRequest> = []
  const all = bundle.requests
  for (let i = 0; i < all.length; i++) {
    const request = resolveRequest(config, routed, bundle.domain, all[i] ?? new Uint8Array(0), i, frameNumber)
    if (request instanceof BundleFailure) return request
    requests.push(request)
  }
  return requests
}
