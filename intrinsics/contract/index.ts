// The intrinsic contract (spec §11.1): the only module built-in intrinsics and plugins import
// from the node. Everything here is pure: no LMDB, clock, network or randomness.
export { type Builder, type Builders, type BuildEnv, BuildError } from "./builders.ts"
export { CanonicalReader, CanonicalWriter, canonicalWriter, decodeCanonical, MAX_COUNT, MAX_FIELD_BYTES, readTypePrefix } from "./canonical.ts"
export {
  type CliContribution,
  type CliEnv,
  type CliGroupContent,
  eraseCliCommand,
  type IntrinsicApiClient,
  type IntrinsicCliCommand,
  IntrinsicCliFailure,
  type IntrinsicCliGroup,
  type IntrinsicCliMember,
} from "./cli.ts"
export type { CryptoServices, ExecCtx } from "./exec-ctx.ts"
export { type HttpContribution, type HttpEnv, intrinsicRoutePrefix, QueryUnavailable, SubmitRejected } from "./http.ts"
export { atomId, bytesEqual, DOMAIN_LENGTH, domainOf, GLOBAL_INTRINSIC_ADDRESS, ID_LENGTH, isAtomId, METADATA_ADDRESS } from "./ids.ts"
export type { Intrinsic } from "./intrinsic.ts"
export { decodeManifest, deriveInstanceAddress, FeeRole, feeRoleOf, isActive, isFixedInstance, Manifest, opTypeHex } from "./manifest.ts"
export { encodeMessageBundle } from "./message-bundle.ts"
export { malformed, OpError, type OpErrorKind } from "./op-error.ts"
export {
  type AccessSet,
  type DecodedOp,
  defineOperation,
  type ExecEvent,
  type LockCtx,
  type Operation,
  type OperationDef,
  type TypedOperation,
} from "./operation.ts"
export { defineQuery, type Query, type QueryCtx, QueryError, type QueryParameter } from "./query.ts"
export {
  type Dispatched,
  DuplicateIntrinsicName,
  type IntrinsicRegistry,
  loadIntrinsics,
  MalformedManifest,
  OperationsMismatch,
  OverlappingDomain,
  OverlappingOpType,
  type RegistryError,
} from "./registry.ts"
export {
  Absent,
  AccessViolation,
  type AtomKind,
  type AtomRef,
  hyperedge,
  type Lookup,
  MalformedAtomId,
  OverlayClosed,
  present,
  type ReadView,
  Removed,
  type StateView,
  vertex,
  type ViewError,
  type WriteMode,
  WriteRefused,
} from "./state-view.ts"
