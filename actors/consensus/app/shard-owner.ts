// Which intrinsic a shard's state belongs to (DECISIONS D-APP-14): a shard is one app address L2 (its
// first 32 bytes; a longer address is a sub-shard of it) and every intrinsic instance is its own app
// address, so the shard's state roots are exactly one instance's writes. The instance resolves as the
// execution host resolves a bundle's domain: a base domain or fixed instance directly, else the type
// tag in the instance's metadata vertex (`L2 ‖ 0xff×32`), which must be a loaded base domain.
import { atomId, bytesEqual, type Lookup, METADATA_ADDRESS, type AtomRef, vertex } from "../../../intrinsics/contract/index.ts"
import type { ResolverConfig } from "../../execution/resolver.ts"

export interface ShardOwner {
  /** The manifest name of the intrinsic (plugin) whose instance the shard is. */
  readonly intrinsic: string
  readonly version: string
  /** This node's plugin code hash (GET /v1/intrinsics), when the intrinsic is a loaded plugin. */
  readonly codeHash?: string
}

/** `name@version` and the code hash when known: what a divergence log line names. */
export const describeOwner = (owner: ShardOwner): string =>
  `${owner.intrinsic}@${owner.version}${owner.codeHash === undefined ? "" : ` (code ${owner.codeHash.slice(0, 16)})`}`

/** The owner of `address`'s state, read through `read` (committed state); undefined when nothing loaded owns it. */
export const shardOwner = (
  routing: Pick<ResolverConfig, "registry" | "typeTagOf">,
  read: (ref: AtomRef) => Lookup,
  address: Uint8Array,
  codeHashes: ReadonlyMap<string, string> = new Map(),
): ShardOwner | undefined => {
  const l2 = address.subarray(0, 32)
  let owner = routing.registry.byDomain(l2)
  if (owner === undefined) {
    const metadata = read(vertex(atomId(l2, METADATA_ADDRESS)))
    const tag = metadata._tag === "Present" ? routing.typeTagOf(metadata.value) : undefined
    const tagged = tag === undefined ? undefined : routing.registry.byDomain(tag)
    // Only a base domain is a type tag (as in the resolver).
    if (tag !== undefined && tagged !== undefined && bytesEqual(tagged.manifest.baseDomain, tag)) owner = tagged
  }
  if (owner === undefined) return undefined
  const name = owner.manifest.name
  const codeHash = codeHashes.get(name)
  return { intrinsic: name, version: owner.manifest.version, ...(codeHash === undefined ? {} : { codeHash }) }
}
