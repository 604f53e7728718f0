// Loading a set of intrinsics (spec §11.1 "opTypes: … the host refuses overlaps at load time").
// Everything the host routes by must be unambiguous before the first operation runs: names (CLI
// and HTTP mounts), op-type prefixes (decode dispatch, fee roles), base domains and fixed
// instances (routing). A violation refuses the whole set with a typed error naming the parties.
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import { readTypePrefix } from "./canonical.ts"
import { bytesEqual } from "./ids.ts"
import type { Intrinsic } from "./intrinsic.ts"
import { decodeManifest, type FeeRole, feeRoleOf, type Manifest, opTypeHex } from "./manifest.ts"
import { malformed, type OpError } from "./op-error.ts"
import type { DecodedOp, Operation } from "./operation.ts"

export class MalformedManifest extends Data.TaggedError("MalformedManifest")<{ readonly name: string; readonly reason: string }> {
  override get message(): string {
    return `intrinsic ${JSON.stringify(this.name)}: malformed manifest: ${this.reason}`
  }
}

export class DuplicateIntrinsicName extends Data.TaggedError("DuplicateIntrinsicName")<{ readonly name: string }> {
  override get message(): string {
    return `two intrinsics are named ${JSON.stringify(this.name)}`
  }
}

export class OverlappingOpType extends Data.TaggedError("OverlappingOpType")<{ readonly opType: number; readonly first: string; readonly second: string }> {
  override get message(): string {
    return `intrinsics ${JSON.stringify(this.first)} and ${JSON.stringify(this.second)} both claim op type ${opTypeHex(this.opType)}`
  }
}

/** Two intrinsics would be routed by the same domain (base domain or fixed instance). */
export class OverlappingDomain extends Data.TaggedError("OverlappingDomain")<{ readonly domain: string; readonly first: string; readonly second: string }> {
  override get message(): string {
    return `intrinsics ${JSON.stringify(this.first)} and ${JSON.stringify(this.second)} both route domain ${this.domain}`
  }
}

/** The operations do not match the manifest's op types one to one. */
export class OperationsMismatch extends Data.TaggedError("OperationsMismatch")<{ readonly name: string; readonly reason: string }> {
  override get message(): string {
    return `intrinsic ${JSON.stringify(this.name)}: ${this.reason}`
  }
}

export type RegistryError = MalformedManifest | DuplicateIntrinsicName | OverlappingOpType | OverlappingDomain | OperationsMismatch

export interface IntrinsicRegistry {
  readonly intrinsics: ReadonlyArray<Intrinsic>
  readonly byName: (name: string) => Intrinsic | undefined
  /** The intrinsic whose base domain or fixed instance is `domain` (deployed instances resolve through their metadata vertex, host side). */
  readonly byDomain: (domain: Uint8Array) => Intrinsic | undefined
  readonly ownerOf: (opType: number) => Intrinsic | undefined
  /** Dispatches canonical operation bytes on their u32 prefix; total like every decoder. */
  readonly decode: (bytes: Uint8Array) => Either.Either<Dispatched, OpError>
  /** What `decode` dispatches to for an op type, worked out once at load (the host's per-request lookup). */
  readonly route: (opType: number) => OpRoute | undefined
}

/** An op type's owner, its operation, and its fee policy (the owner's manifest). */
interface OpRoute {
  readonly intrinsic: Intrinsic
  readonly operation: Operation
  readonly feeRole: FeeRole
  /** The policy's `producesFees` (false when the manifest lists none for the op type). */
  readonly producesFees: boolean
}

/** A decoded operation with its owner and its fee role (from the owner's manifest, so it cannot disagree with it). */
export interface Dispatched {
  readonly intrinsic: Intrinsic
  readonly op: DecodedOp
  readonly feeRole: FeeRole
}

const checkOperations = (manifest: Manifest, operations: ReadonlyArray<Operation>): Either.Either<Map<number, Operation>, OperationsMismatch> => {
  const byType = new Map<number, Operation>()
  const owned = new Set(manifest.opTypes)
  for (const op of operations) {
    if (!owned.has(op.opType)) {
      return Either.left(
        new OperationsMismatch({ name: manifest.name, reason: `operation ${op.name} has op type ${opTypeHex(op.opType)}, not in the manifest` }),
      )
    }
    if (byType.has(op.opType)) return Either.left(new OperationsMismatch({ name: manifest.name, reason: `two operations for op type ${opTypeHex(op.opType)}` }))
    byType.set(op.opType, op)
  }
  const missing = manifest.opTypes.filter((t) => !byType.has(t)).map(opTypeHex)
  if (missing.length > 0) return Either.left(new OperationsMismatch({ name: manifest.name, reason: `no operation for op types ${missing.join(", ")}` }))
  return Either.right(byType)
}

/** Best-effort name for error messages about a manifest that may not even have one. */
const nameForErrors = (manifest: unknown): string => {
  if (typeof manifest === "object" && manifest !== null && "name" in manifest && typeof manifest.name === "string") return manifest.name
  return "<unnamed>"
}

const readU32 = (b: Uint8Array, at: number): number => (b[at] ?? 0) * 0x1000000 + ((b[at + 1] ?? 0) << 16) + ((b[at + 2] ?? 0) << 8) + (b[at + 3] ?? 0)

export const loadIntrinsics = (intrinsics: ReadonlyArray<Intrinsic>): Either.Either<IntrinsicRegistry, RegistryError> => {
  const byName = new Map<string, Intrinsic>()
  const byDomain = new Map<string, Intrinsic>()
  const owners = new Map<number, OpRoute>()
  for (const intrinsic of intrinsics) {
    const decoded = decodeManifest(intrinsic.manifest)
    if (Either.isLeft(decoded)) return Either.left(new MalformedManifest({ name: nameForErrors(intrinsic.manifest), reason: decoded.left }))
    const manifest = decoded.right
    if (byName.has(manifest.name)) return Either.left(new DuplicateIntrinsicName({ name: manifest.name }))
    const operations = checkOperations(manifest, intrinsic.operations)
    if (Either.isLeft(operations)) return Either.left(operations.left)
    for (const [opType, operation] of operations.right) {
      const owner = owners.get(opType)
      if (owner !== undefined) return Either.left(new OverlappingOpType({ opType, first: owner.intrinsic.manifest.name, second: manifest.name }))
      // The manifest decoded, so every owned op type has a fee policy entry.
      // `producesFees` read from the intrinsic's own manifest object, as the resolver did per request.
      const producesFees = intrinsic.manifest.feePolicy.find((p) => p.opType === opType)?.producesFees ?? false
      owners.set(opType, { intrinsic, operation, feeRole: feeRoleOf(manifest, opType) ?? "consumer", producesFees })
    }
    const domains = new Set([manifest.baseDomain, ...manifest.fixedInstances.map((i) => i.address)].map((d) => bytesToHex(d)))
    for (const domain of domains) {
      const other = byDomain.get(domain)
      if (other !== undefined) return Either.left(new OverlappingDomain({ domain, first: other.manifest.name, second: manifest.name }))
      byDomain.set(domain, intrinsic)
    }
    byName.set(manifest.name, intrinsic)
  }
  // Routing looks a domain up once per bundle: by its first four bytes as a number, then the
  // whole domain compared, rather than hashing a fresh 64-character hex string each time.
  const domainIndex = new Map<number, Array<{ readonly domain: Uint8Array; readonly intrinsic: Intrinsic }>>()
  for (const [hex, intrinsic] of byDomain) {
    const domain = hexToBytes(hex)
    const bucket = domainIndex.get(readU32(domain, 0))
    if (bucket === undefined) domainIndex.set(readU32(domain, 0), [{ domain, intrinsic }])
    else bucket.push({ domain, intrinsic })
  }
  return Either.right({
    intrinsics: [...intrinsics],
    byName: (name) => byName.get(name),
    byDomain: (domain) => {
      if (domain.length < 4) return undefined
      const bucket = domainIndex.get(readU32(domain, 0))
      if (bucket !== undefined) for (const entry of bucket) if (bytesEqual(entry.domain, domain)) return entry.intrinsic
      return undefined
    },
    ownerOf: (opType) => owners.get(opType)?.intrinsic,
    route: (opType) => owners.get(opType),
    // Early returns rather than Either combinators: this runs for every request the host routes.
    decode: (bytes) => {
      if (bytes.length < 4) {
        // The reader's own error for a short prefix.
        const prefix = readTypePrefix(bytes)
        return Either.left(Either.isLeft(prefix) ? prefix.left : malformed(undefined, "shorter than a type prefix"))
      }
      const opType = readU32(bytes, 0)
      const owner = owners.get(opType)
      if (owner === undefined) return Either.left(malformed(opType, "no loaded intrinsic owns this op type"))
      const op = owner.operation.decode(bytes)
      return Either.isLeft(op) ? Either.left(op.left) : Either.right({ intrinsic: owner.intrinsic, op: op.right, feeRole: owner.feeRole })
    },
  })
}
