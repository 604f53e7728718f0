// Where a bare MessageBundle goes (spec §1.6, issue: app shards "decode and route by shard address"):
// the domain it is sent to — what each operation names as its target (`OperationDef.target`) — and
// the shard that executes it — the one app address (L2) all its writes live under. No state is read,
// so the master (which has none) and every worker replaying a frame route a bundle identically.
//
// A deploy is sent to its intrinsic's base domain but writes the new instance's metadata vertex, so it
// executes in the instance's own shard: an instance's state is born in, and never leaves, its shard.
import { concatBytes } from "@noble/hashes/utils.js"
import * as Either from "effect/Either"
import { bytesEqual, DOMAIN_LENGTH, type Intrinsic } from "../../intrinsics/contract/index.ts"
import { decodeBundle } from "./bundle.ts"
import { BundleFailure } from "./failure.ts"
import type { ResolverConfig } from "./resolver.ts"

export interface BundleRoute {
  /** The routed domain (ExecCtx.routedDomain of the bundle's own requests). */
  readonly domain: Uint8Array
  /** The app address (32 bytes) of every atom the bundle writes: the shard that executes it. */
  readonly shard: Uint8Array
}

const unroutable = (detail: string, request?: number): Either.Either<never, BundleFailure> =>
  Either.left(new BundleFailure({ reason: "unroutable", request, detail }))

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")

/**
 * Routes a canonical MessageBundle. `domain` names the target when the bundle's operations do not
 * (plugins without `target`); when both are present they must agree.
 */
export const routeBundle = (
  config: ResolverConfig,
  bundle: Uint8Array,
  frameNumber: bigint,
  domain?: Uint8Array,
): Either.Either<BundleRoute, BundleFailure> => {
  const decoded = decodeBundle(concatBytes(new Uint8Array(DOMAIN_LENGTH), bundle))
  if (Either.isLeft(decoded)) return Either.left(new BundleFailure({ reason: "malformed", request: undefined, detail: decoded.left.message }))
  const decodeOp = (bytes: Uint8Array) => config.registry.decode(bytes)
  const ops: Array<{ owner: Intrinsic; op: ReturnType<typeof decodeOp> }> = []
  let routed: Uint8Array | undefined = domain
  let routedOwner: Intrinsic | undefined
  const requests = decoded.right.requests
  for (let i = 0; i < requests.length; i++) {
    const bytes = requests[i] ?? new Uint8Array()
    const opType = bytes.length < 4 ? -1 : ((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)
    const owner = config.registry.ownerOf(opType >>> 0)
    if (owner === undefined)
      return Either.left(
        new BundleFailure({ reason: "unknown-op-type", request: i, detail: `no loaded intrinsic owns op type 0x${(opType >>> 0).toString(16)}` }),
      )
    const op = decodeOp(bytes)
    if (Either.isLeft(op)) return Either.left(new BundleFailure({ reason: "malformed", request: i, detail: op.left.message }))
    ops.push({ owner, op })
    let target: Uint8Array | undefined
    try {
      target = op.right.op.target()
    } catch (e) {
      return Either.left(new BundleFailure({ reason: "threw", request: i, detail: `target threw: ${e instanceof Error ? e.message : String(e)}` }))
    }
    if (target === undefined) continue
    if (target.length !== DOMAIN_LENGTH) return Either.left(new BundleFailure({ reason: "garbage", request: i, detail: "target is not a 32-byte domain" }))
    // The first request that names its domain routes the bundle; requests of other intrinsics (a QUIL
    // fee payment) run at their own fixed instance and do not take part.
    if (routedOwner === undefined) {
      if (routed !== undefined && !bytesEqual(routed, target)) return unroutable(`request ${i} targets ${hex(target)}, not the named domain ${hex(routed)}`, i)
      routed = target
      routedOwner = owner
    } else if (owner === routedOwner && routed !== undefined && !bytesEqual(routed, target)) {
      return unroutable(`requests target two domains (${hex(routed)} and ${hex(target)})`, i)
    }
  }
  if (routed === undefined) return unroutable("no request names its domain; give the domain with the bundle")
  let shard: Uint8Array | undefined
  for (let i = 0; i < ops.length; i++) {
    const entry = ops[i]
    if (entry === undefined || Either.isLeft(entry.op)) continue
    if (routedOwner !== undefined && entry.owner !== routedOwner) continue
    let writes: ReadonlyArray<Uint8Array>
    try {
      writes = entry.op.right.op.accessSet({ frameNumber, routedDomain: routed, crypto: config.crypto }).writes
    } catch (e) {
      return Either.left(new BundleFailure({ reason: "threw", request: i, detail: `accessSet threw: ${e instanceof Error ? e.message : String(e)}` }))
    }
    for (const id of writes) {
      const l2 = id.subarray(0, DOMAIN_LENGTH)
      if (shard === undefined) shard = l2.slice()
      else if (!bytesEqual(shard, l2)) return unroutable(`writes span two shards (${hex(shard)} and ${hex(l2)}); cross-shard bundles are not supported`, i)
    }
  }
  return Either.right({ domain: routed, shard: shard ?? routed })
}
