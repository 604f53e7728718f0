// One entry point for the lifecycle operations' canonical bytes: the u32 type prefix picks the codec.
// Total: anything that is not exactly one canonical lifecycle operation is a malformed OpError.
import * as Either from "effect/Either"
import { malformed, type OpError, readTypePrefix } from "../contract/index.ts"
import { PROVER_CONFIRM, PROVER_JOIN, PROVER_LEAVE, PROVER_PAUSE, PROVER_REJECT, PROVER_RESUME, PROVER_UPDATE } from "./constants.ts"
import type { LifecycleOp } from "./lifecycle.ts"
import { decodeProverJoin, encodeProverJoin } from "./messages/join.ts"
import {
  decodeProverConfirm,
  decodeProverLeave,
  decodeProverPause,
  decodeProverUpdate,
  encodeProverConfirm,
  encodeProverLeave,
  encodeProverPause,
  encodeProverUpdate,
} from "./messages/signed-ops.ts"

export const encodeLifecycleOp = (op: LifecycleOp): Uint8Array => {
  switch (op._tag) {
    case "ProverJoin":
      return encodeProverJoin(op)
    case "ProverLeave":
      return encodeProverLeave(op)
    case "ProverPause":
    case "ProverResume":
      return encodeProverPause(op)
    case "ProverConfirm":
    case "ProverReject":
      return encodeProverConfirm(op)
    case "ProverUpdate":
      return encodeProverUpdate(op)
  }
}

const decoders: ReadonlyMap<number, (bytes: Uint8Array) => Either.Either<LifecycleOp, OpError>> = new Map<
  number,
  (bytes: Uint8Array) => Either.Either<LifecycleOp, OpError>
>([
  [PROVER_JOIN, decodeProverJoin],
  [PROVER_LEAVE, decodeProverLeave],
  [PROVER_PAUSE, decodeProverPause("ProverPause")],
  [PROVER_RESUME, decodeProverPause("ProverResume")],
  [PROVER_CONFIRM, decodeProverConfirm("ProverConfirm")],
  [PROVER_REJECT, decodeProverConfirm("ProverReject")],
  [PROVER_UPDATE, decodeProverUpdate],
])

export const decodeLifecycleOp = (bytes: Uint8Array): Either.Either<LifecycleOp, OpError> =>
  Either.flatMap(readTypePrefix(bytes), (prefix) => {
    const decode = decoders.get(prefix)
    return decode === undefined ? Either.left(malformed(prefix, "not a prover lifecycle operation")) : decode(bytes)
  })
