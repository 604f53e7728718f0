// The declarative face of an intrinsic (spec §11.1 "Manifest"): what the host needs to route,
// lock, charge and gate its operations without running its code. Validated with Effect Schema
// when the registry loads it, so a malformed manifest is refused before any operation runs.
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { DOMAIN_LENGTH, bytesEqual } from "./ids.ts"
import { OpError } from "./op-error.ts"

const exactBytes = (length: number) => Schema.Uint8ArrayFromSelf.pipe(Schema.filter((b) => b.length === length || `expected ${length} bytes, got ${b.length}`))

const U32 = Schema.Number.pipe(Schema.int(), Schema.between(0, 0xffff_ffff))
const FrameNumber = Schema.BigIntFromSelf.pipe(Schema.filter((n) => (n >= 0n && n < 1n << 64n) || "expected a u64 frame number"))

/** `consumer` pops one fee from the bundle's queue, `free` pops none (spec §6.3). */
export const FeeRole = Schema.Literal("consumer", "free")
export type FeeRole = typeof FeeRole.Type

const FeePolicyEntry = Schema.Struct({
  opType: U32,
  role: FeeRole,
  /** Whether operations of this type may add fees to the bundle's queue (QUIL transfers in the reference). */
  producesFees: Schema.Boolean,
})

/**
 * How an instance address is derived: `poseidon(prefix ‖ configCommitment)` (spec §1.8; the prefix
 * is ASCII such as "q_token", or raw bytes such as `0xcc×32` for compute), or not at all for an
 * intrinsic that only has fixed instances (global).
 */
const AddressDerivation = Schema.Union(
  Schema.TaggedStruct("Derived", {
    prefix: Schema.Uint8ArrayFromSelf.pipe(Schema.filter((b) => (b.length >= 1 && b.length <= 64) || "an address prefix has 1 to 64 bytes")),
  }),
  Schema.TaggedStruct("FixedOnly", {}),
)

/** An instance that exists without a deploy (QUIL at `poseidon("q_mainnet_token")`, global at `0xff×32`). */
const FixedInstance = Schema.Struct({
  label: Schema.String.pipe(Schema.minLength(1)),
  address: exactBytes(DOMAIN_LENGTH),
})

/** Which process executes it: the master (global shard) or the data workers (app shards). */
const Placement = Schema.Literal("global", "app")

/** Frame gates: active from `fromFrame`; on mainnet (network 0) not before `mainnetFromFrame` when set. */
const Activation = Schema.Struct({
  fromFrame: FrameNumber,
  mainnetFromFrame: Schema.optional(FrameNumber),
})

/** The mount name for the CLI group and the HTTP prefix: lower case, digits, dashes. */
const Name = Schema.String.pipe(Schema.pattern(/^[a-z][a-z0-9-]{0,31}$/, { message: () => "a name is 1-32 of [a-z0-9-], starting with a letter" }))
const Version = Schema.String.pipe(Schema.pattern(/^\d+\.\d+\.\d+$/, { message: () => "a version is MAJOR.MINOR.PATCH" }))

const duplicates = <A>(items: ReadonlyArray<A>, key: (a: A) => string): Array<string> => {
  const seen = new Set<string>()
  const dup = new Set<string>()
  for (const item of items) {
    const k = key(item)
    if (seen.has(k)) dup.add(k)
    seen.add(k)
  }
  return [...dup]
}

export const opTypeHex = (opType: number): string => `0x${opType.toString(16).padStart(4, "0")}`

export const Manifest = Schema.Struct({
  name: Name,
  version: Version,
  /** The routing key and the type tag written at metadata key `0xff×32` (spec §1.8). */
  baseDomain: exactBytes(DOMAIN_LENGTH),
  derivation: AddressDerivation,
  fixedInstances: Schema.Array(FixedInstance),
  /** The canonical u32 type prefixes this intrinsic owns; the registry refuses overlaps. */
  opTypes: Schema.NonEmptyArray(U32),
  placement: Placement,
  /** One entry per owned op type. */
  feePolicy: Schema.Array(FeePolicyEntry),
  activation: Activation,
}).pipe(
  Schema.filter((m) => {
    const issues: Array<string> = []
    const dupTypes = duplicates(m.opTypes, opTypeHex)
    if (dupTypes.length > 0) issues.push(`op types listed twice: ${dupTypes.join(", ")}`)
    const owned = new Set(m.opTypes)
    const dupPolicy = duplicates(m.feePolicy, (e) => opTypeHex(e.opType))
    if (dupPolicy.length > 0) issues.push(`fee policy lists op types twice: ${dupPolicy.join(", ")}`)
    const foreign = m.feePolicy.filter((e) => !owned.has(e.opType)).map((e) => opTypeHex(e.opType))
    if (foreign.length > 0) issues.push(`fee policy for op types not owned: ${foreign.join(", ")}`)
    const covered = new Set(m.feePolicy.map((e) => e.opType))
    const uncovered = m.opTypes.filter((t) => !covered.has(t)).map(opTypeHex)
    if (uncovered.length > 0) issues.push(`no fee policy for op types: ${uncovered.join(", ")}`)
    const dupInstances = duplicates(m.fixedInstances, (i) => bytesToHex(i.address))
    if (dupInstances.length > 0) issues.push(`fixed instance addresses listed twice: ${dupInstances.join(", ")}`)
    if (m.derivation._tag === "FixedOnly" && m.fixedInstances.length === 0) issues.push("an intrinsic without address derivation needs a fixed instance")
    return issues.length === 0 || issues.join("; ")
  }),
)
export type Manifest = typeof Manifest.Type

/** Validates a manifest; the Left is a readable list of every broken rule. */
export const decodeManifest = (input: unknown): Either.Either<Manifest, string> =>
  Either.mapLeft(Schema.decodeUnknownEither(Manifest)(input, { errors: "all" }), (e) => ParseResult.TreeFormatter.formatErrorSync(e))

export const feeRoleOf = (manifest: Manifest, opType: number): FeeRole | undefined => manifest.feePolicy.find((e) => e.opType === opType)?.role

export const isActive = (manifest: Manifest, frameNumber: bigint, network: number): boolean => {
  if (frameNumber < manifest.activation.fromFrame) return false
  const mainnetGate = manifest.activation.mainnetFromFrame
  return network !== 0 || mainnetGate === undefined || frameNumber >= mainnetGate
}

/** `poseidon(prefix ‖ configCommitment)`; refused for intrinsics that are never deployed. */
export const deriveInstanceAddress = (
  manifest: Manifest,
  configCommitment: Uint8Array,
  poseidon: (data: Uint8Array) => Uint8Array,
): Either.Either<Uint8Array, OpError> => {
  if (manifest.derivation._tag === "FixedOnly") {
    return Either.left(new OpError({ kind: "invalid", opType: undefined, reason: `intrinsic ${manifest.name} cannot be deployed` }))
  }
  const prefix = manifest.derivation.prefix
  const input = new Uint8Array(prefix.length + configCommitment.length)
  input.set(prefix, 0)
  input.set(configCommitment, prefix.length)
  return Either.right(poseidon(input))
}

/** Whether `domain` is one of the manifest's fixed instances (routed without a metadata vertex, spec §11.1 "host keeps"). */
export const isFixedInstance = (manifest: Manifest, domain: Uint8Array): boolean => manifest.fixedInstances.some((i) => bytesEqual(i.address, domain))
