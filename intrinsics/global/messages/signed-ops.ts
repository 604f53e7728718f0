// The lifecycle operations signed by an existing prover's BLS key with a `BLS48581AddressedSignature`
// (execution.md §5.1): leave, pause, resume, confirm, reject, update. Canonical layouts (the reference's):
//   ProverLeave    u32 0x0302 ‖ u32 n ‖ (u32 len ‖ filter)×n ‖ u64 frame ‖ u32 len ‖ AddressedSignature
//   ProverPause    u32 0x0303 ‖ u32 len ‖ filter ‖ u64 frame ‖ u32 len ‖ AddressedSignature   (Resume: 0x0304)
//   ProverConfirm  u32 0x0305 ‖ u32 32 ‖ "reserved"×4 ‖ u64 frame ‖ u32 len ‖ AddressedSignature
//                  ‖ u32 n ‖ (u32 len ‖ filter)×n                                           (Reject: 0x0306)
//   ProverUpdate   u32 0x0308 ‖ u32 len ‖ delegate ‖ u32 len ‖ AddressedSignature
// The signature is required here (length 0 is malformed): no lifecycle operation is valid unsigned.
import * as Either from "effect/Either"
import { type CanonicalReader, CanonicalWriter, canonicalWriter, decodeCanonical, malformed, type OpError } from "../../contract/index.ts"
import {
  ADDRESS_BYTES,
  DEPRECATED_FILTER,
  MAX_FILTER_BYTES,
  MAX_FILTERS,
  MIN_FILTER_BYTES,
  PROVER_CONFIRM,
  PROVER_LEAVE,
  PROVER_PAUSE,
  PROVER_REJECT,
  PROVER_RESUME,
  PROVER_UPDATE,
} from "../constants.ts"
import { type AddressedSignature, decodeAddressedSignature, encodeAddressedSignature, writeFilters } from "../signatures.ts"

/** The reference's bound on a nested addressed signature (74 + 516 + lengths). */
const MAX_ADDRESSED_SIGNATURE_MESSAGE = 118

export interface ProverLeave {
  readonly _tag: "ProverLeave"
  readonly filters: ReadonlyArray<Uint8Array>
  readonly frameNumber: bigint
  readonly signature: AddressedSignature
}

export interface ProverPause {
  readonly _tag: "ProverPause" | "ProverResume"
  readonly filter: Uint8Array
  readonly frameNumber: bigint
  readonly signature: AddressedSignature
}

export interface ProverConfirm {
  readonly _tag: "ProverConfirm" | "ProverReject"
  readonly filters: ReadonlyArray<Uint8Array>
  readonly frameNumber: bigint
  readonly signature: AddressedSignature
}

export interface ProverUpdate {
  readonly _tag: "ProverUpdate"
  readonly delegateAddress: Uint8Array
  readonly signature: AddressedSignature
}

const readSignature = (r: CanonicalReader): Either.Either<AddressedSignature, OpError> =>
  Either.flatMap(r.bytes("public_key_signature_bls48581", MAX_ADDRESSED_SIGNATURE_MESSAGE), (b) =>
    b.length === 0 ? Either.left(malformed(undefined, "public_key_signature_bls48581: absent")) : decodeAddressedSignature(b),
  )

const readFilters = (r: CanonicalReader, min: number): Either.Either<Array<Uint8Array>, OpError> =>
  r.list(
    "filters",
    (e, i) =>
      Either.flatMap(e.bytes(`filters[${i}]`, MAX_FILTER_BYTES), (f) =>
        f.length < min ? Either.left(malformed(undefined, `filters[${i}]: ${f.length} bytes, want at least ${min}`)) : Either.right(f),
      ),
    MAX_FILTERS,
  )

export const encodeProverLeave = (op: ProverLeave): Uint8Array =>
  writeFilters(canonicalWriter(PROVER_LEAVE), op.filters).u64(op.frameNumber).bytes(encodeAddressedSignature(op.signature)).finish()

export const decodeProverLeave = (bytes: Uint8Array): Either.Either<ProverLeave, OpError> =>
  decodeCanonical(PROVER_LEAVE, bytes, (r) =>
    Either.gen(function* () {
      const filters = yield* readFilters(r, 0)
      const frameNumber = yield* r.u64("frame_number")
      const signature = yield* readSignature(r)
      return { _tag: "ProverLeave" as const, filters, frameNumber, signature }
    }),
  )

const pauseType = (tag: ProverPause["_tag"]): number => (tag === "ProverPause" ? PROVER_PAUSE : PROVER_RESUME)

export const encodeProverPause = (op: ProverPause): Uint8Array =>
  canonicalWriter(pauseType(op._tag)).bytes(op.filter).u64(op.frameNumber).bytes(encodeAddressedSignature(op.signature)).finish()

export const decodeProverPause =
  (tag: ProverPause["_tag"]) =>
  (bytes: Uint8Array): Either.Either<ProverPause, OpError> =>
    decodeCanonical(pauseType(tag), bytes, (r) =>
      Either.gen(function* () {
        const filter = yield* r.bytes("filter", MAX_FILTER_BYTES)
        const frameNumber = yield* r.u64("frame_number")
        const signature = yield* readSignature(r)
        return { _tag: tag, filter, frameNumber, signature }
      }),
    )

const confirmType = (tag: ProverConfirm["_tag"]): number => (tag === "ProverConfirm" ? PROVER_CONFIRM : PROVER_REJECT)

export const encodeProverConfirm = (op: ProverConfirm): Uint8Array =>
  writeFilters(
    canonicalWriter(confirmType(op._tag)).bytes(DEPRECATED_FILTER).u64(op.frameNumber).bytes(encodeAddressedSignature(op.signature)),
    op.filters,
  ).finish()

export const decodeProverConfirm =
  (tag: ProverConfirm["_tag"]) =>
  (bytes: Uint8Array): Either.Either<ProverConfirm, OpError> =>
    decodeCanonical(confirmType(tag), bytes, (r) =>
      Either.gen(function* () {
        // The deprecated single filter: the reference always writes the constant, so only it is canonical.
        const deprecated = yield* r.bytes("filter", MAX_FILTER_BYTES)
        if (Buffer.compare(deprecated, DEPRECATED_FILTER) !== 0) return yield* Either.left(malformed(confirmType(tag), "filter: not the deprecated constant"))
        const frameNumber = yield* r.u64("frame_number")
        const signature = yield* readSignature(r)
        // The reference's decoder bounds these filters to 32–64 bytes.
        const filters = yield* readFilters(r, MIN_FILTER_BYTES)
        return { _tag: tag, filters, frameNumber, signature }
      }),
    )

export const encodeProverUpdate = (op: ProverUpdate): Uint8Array =>
  canonicalWriter(PROVER_UPDATE).bytes(op.delegateAddress).bytes(encodeAddressedSignature(op.signature)).finish()

export const decodeProverUpdate = (bytes: Uint8Array): Either.Either<ProverUpdate, OpError> =>
  decodeCanonical(PROVER_UPDATE, bytes, (r) =>
    Either.gen(function* () {
      const delegateAddress = yield* r.bytes("delegate_address", ADDRESS_BYTES)
      const signature = yield* readSignature(r)
      return { _tag: "ProverUpdate" as const, delegateAddress, signature }
    }),
  )

export type SignedLifecycleOp = ProverLeave | ProverPause | ProverConfirm | ProverUpdate

/**
 * The bytes the addressed signature covers (§8.3: "the op's serialized fields, filters length-prefixed,
 * then u64 frame number"): leave, confirm, reject `u32 n ‖ (u32 len ‖ filter)×n ‖ u64 frame`; pause and
 * resume `u32 len ‖ filter ‖ u64 frame`; update `u32 len ‖ delegate`. Leave's is the reference's
 * (read from its source); the others follow the same rule (DECISIONS.md D-GLOB-4).
 */
export const signedBytes = (op: SignedLifecycleOp): Uint8Array => {
  const w = new CanonicalWriter()
  switch (op._tag) {
    case "ProverLeave":
    case "ProverConfirm":
    case "ProverReject":
      return writeFilters(w, op.filters).u64(op.frameNumber).finish()
    case "ProverPause":
    case "ProverResume":
      return w.bytes(op.filter).u64(op.frameNumber).finish()
    case "ProverUpdate":
      return w.bytes(op.delegateAddress).finish()
  }
}
