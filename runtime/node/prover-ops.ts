// This node's own prover lifecycle operations (consensus.md §4.6, §8.3; `POST /v1/provers/lifecycle`): the
// master builds join, confirm, reject, leave, pause, resume or update (delegate) from its prover key, at the
// committed global head. A join's multiproof comes from the data workers over the typed IPC (CreateJoinProof,
// one blob per filter). The prover registry dry-runs the operation against the next frame (CheckLifecycle)
// so a refusal is answered with its reason and nothing is submitted; an accepted one goes into this node's
// lifecycle pool and out on the GLOBAL_PROVER bitmask (NodeLifecycleService.submit), the path the devnet
// harness's requests take from there on. A refusal found later (the window passed meanwhile) is the
// registry's, at the committed frame, on every node alike (D-REG-7).
import { sha3_256 } from "@noble/hashes/sha3.js"
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { Clock, Effect } from "effect"
import { encodeLifecycleRequest } from "../../actors/consensus/global/lifecycle-requests.ts"
import type { ProverSignerService } from "../../crates/ts/services.ts"
import {
  buildProverConfirm,
  buildProverJoin,
  buildProverLeave,
  buildProverPause,
  buildProverReject,
  buildProverResume,
  buildProverUpdate,
  encodeLifecycleOp,
  joinProofIds,
  type LifecycleOp,
  type LifecycleSigner,
} from "../../intrinsics/global/index.ts"
import { LifecycleInvalid, LifecycleRefused, type LifecycleSubmitted, LifecycleUnavailable, type SubmitLifecycleBody } from "../api/backend.ts"
import type { NodeConsensusService } from "./consensus.ts"
import type { ShardHostsService } from "./shard-hosts.ts"
import { parseLifecycleBody } from "./lifecycle-body.ts"

/**
 * Runs a builder with an effectful signer: the builders sign synchronously, so the first run records what
 * they ask to sign (the signed bytes never include a signature) and the second answers from the results,
 * in the same order — the builders are deterministic.
 */
const buildSigned = <Op>(signer: ProverSignerService, build: (s: LifecycleSigner) => Op) =>
  Effect.gen(function* () {
    const asked: Array<{ readonly message: Uint8Array; readonly domain: Uint8Array }> = []
    build({
      publicKey: signer.publicKey,
      sign: (message, domain) => {
        asked.push({ message, domain })
        return new Uint8Array()
      },
    })
    const signatures = yield* Effect.forEach(asked, (a) => signer.sign(a.message, a.domain))
    let next = 0
    return build({ publicKey: signer.publicKey, sign: () => signatures[next++] ?? new Uint8Array() })
  })

const unavailable = (reason: string) => new LifecycleUnavailable({ reason })

/** `POST /v1/provers/lifecycle` over the node's consensus and its data workers. */
export const makeSubmitLifecycle =
  (consensus: NodeConsensusService, hosts: Pick<ShardHostsService, "joinProof">) =>
  (body: SubmitLifecycleBody): Effect.Effect<LifecycleSubmitted, LifecycleInvalid | LifecycleRefused | LifecycleUnavailable> =>
    Effect.gen(function* () {
      const parsed = parseLifecycleBody(body)
      if (typeof parsed === "string") return yield* new LifecycleInvalid({ detail: parsed })
      const lifecycle = consensus.lifecycle
      if (lifecycle === undefined) return yield* unavailable("this node runs no global consensus")
      const { signer, poseidon } = lifecycle
      const crypto = { poseidon }
      const head = yield* consensus.head.pipe(Effect.mapError((e) => unavailable(e.reason)))
      const frameNumber = BigInt(head.frameNumber)
      const { filters, delegate } = parsed
      const first = filters[0] ?? new Uint8Array()
      const signing = Effect.mapError((e: { readonly reason: string }) => unavailable(`signing failed: ${e.reason}`))
      const op: LifecycleOp = yield* (() => {
        switch (body.operation) {
          case "join":
            return Effect.gen(function* () {
              if (frameNumber === 0n) return yield* unavailable("no committed global frame to prove the join against yet")
              const frame = yield* consensus
                .frame(frameNumber)
                .pipe(Effect.mapError((e) => unavailable(e._tag === "FrameNotFound" ? "head frame not found" : e.reason)))
              // §4.6: challenge = SHA3-256(output of frame F), at F's difficulty; ids = address ‖ filter_i ‖ u32_be(i).
              const ids = joinProofIds(signer.address, filters)
              const proof = yield* hosts.joinProof(sha3_256(hexToBytes(frame.output)), frame.difficulty, ids).pipe(Effect.mapError(unavailable))
              return yield* signing(
                buildSigned(signer, (s) =>
                  buildProverJoin(crypto, s, { filters, frameNumber, proof, ...(delegate === undefined ? {} : { delegateAddress: delegate }) }),
                ),
              )
            })
          case "confirm":
            return signing(buildSigned(signer, (s) => buildProverConfirm(crypto, s, filters, frameNumber)))
          case "reject":
            return signing(buildSigned(signer, (s) => buildProverReject(crypto, s, filters, frameNumber)))
          case "leave":
            return signing(buildSigned(signer, (s) => buildProverLeave(crypto, s, filters, frameNumber)))
          case "pause":
            return signing(buildSigned(signer, (s) => buildProverPause(crypto, s, first, frameNumber)))
          case "resume":
            return signing(buildSigned(signer, (s) => buildProverResume(crypto, s, first, frameNumber)))
          case "delegate":
            return signing(buildSigned(signer, (s) => buildProverUpdate(crypto, s, delegate ?? new Uint8Array())))
        }
      })()
      const bytes = encodeLifecycleOp(op)
      // The earliest frame that can carry it is the next one.
      const check = yield* lifecycle.check(bytes, frameNumber + 1n)
      if (check.refusal !== null) return yield* new LifecycleRefused({ reason: check.refusal, appliedThrough: check.appliedThrough })
      const request = encodeLifecycleRequest(bytes, BigInt(yield* Clock.currentTimeMillis))
      const outcome = yield* lifecycle.submit(request)
      if (outcome === "full") return yield* unavailable("the lifecycle pool is full; retry after the next frames")
      yield* Effect.logInfo("prover lifecycle operation submitted").pipe(
        Effect.annotateLogs({ operation: body.operation, frameNumber: String(frameNumber), filters: filters.length, outcome }),
      )
      return {
        operation: body.operation,
        address: bytesToHex(signer.address),
        frameNumber: head.frameNumber,
        id: bytesToHex(sha3_256(request)),
        status: "pending" as const,
      }
    })
