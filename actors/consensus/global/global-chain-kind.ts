// The global chain as a HotStuff chain kind (actors/consensus/core/chain-kind.ts): the empty filter,
// bitmask 0x00, GlobalFrame and GlobalProposal with their canonical codecs, global frame validation
// and production (§1.5), and the devnet/stub genesis of §1.7. A frame's requests are ProverShardUpdates
// (certified app-shard headers, §4.5): the leader takes them from the master's pool, every validator
// checks them (D-GC-17), and requests_root commits to them (D-GC-16); then prover lifecycle requests
// (D-GC-19), applied by the prover registry when the frame is committed.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect } from "effect"
import type { ChainKind, FrameBranch } from "../core/chain-kind.ts"
import { globalHeaderTimestamp, produceGlobalFrameHeader, stubGlobalGenesisHeader } from "../core/frame-production.ts"
import { BadRequestsRoot } from "../core/frame-rejection.ts"
import { GLOBAL_COMMITMENT_COUNT, validateGlobalFrame } from "../core/frame-validation.ts"
import type { AppFrameHeader } from "../core/messages/app-frame-header.ts"
import { bytesEqual } from "../core/messages/fields.ts"
import { GlobalFrame } from "../core/messages/global-frame.ts"
import { GlobalFrameHeader } from "../core/messages/global-frame-header.ts"
import { encodeProverShardUpdate } from "../core/messages/prover-shard-update.ts"
import { encodeGlobalProposal, GlobalProposal } from "../core/messages/proposals.ts"
import { validateProposal } from "../core/proposal-validation.ts"
import type { ActiveProver } from "../core/prover-ring.ts"
import { requestsRoot } from "../core/requests-root.ts"
import { SHARD_UPDATE_WINDOW, validateShardUpdates } from "../core/shard-update-validation.ts"
import { type CommittedGlobalFrame, shardUpdateHistory } from "./shard-update-history.ts"
import { isProposableLifecycle, lifecycleStart, MAX_LIFECYCLE_REQUESTS, validateLifecycleRequests } from "./lifecycle-requests.ts"
import { selectShardUpdates } from "./shard-update-selection.ts"
import { decodeSyncRequest, decodeSyncResponse, decodeWire, encodeSyncRequest, encodeSyncResponse, GLOBAL_CONSENSUS_BITMASK } from "./wire.ts"

/** Commitment and root fields the global frame carries, all zero until execution fills them (§1.8). */
const COMMITMENT_BYTES = 64
const zeroCommitment = (): Uint8Array => new Uint8Array(COMMITMENT_BYTES)

export interface GlobalChainParams {
  /** Certified shard headers waiting for a global frame (the master's pool); absent: frames carry none. */
  readonly pendingShardUpdates?: Effect.Effect<ReadonlyArray<AppFrameHeader>>
  /**
   * The global committee, which is today also every shard's committee (the network's genesis committee):
   * what the leader checks its updates against, as validators do with the committee they are given.
   */
  readonly committee?: ReadonlyArray<ActiveProver>
  /** Committed frames by number, for the D-GC-17 walk below the engine's Forks root. */
  readonly committedFrame?: CommittedGlobalFrame
  /** Prover lifecycle requests waiting for a global frame (`encodeLifecycleRequest` bundles, D-GC-19); absent: none. */
  readonly pendingLifecycle?: Effect.Effect<ReadonlyArray<Uint8Array>>
}

const noCommittedFrames: CommittedGlobalFrame = () => Effect.succeed(undefined)

export const makeGlobalChainKind = (params: GlobalChainParams = {}): ChainKind<GlobalFrame, GlobalProposal> => {
  const committed = params.committedFrame ?? noCommittedFrames
  const history = (parent: GlobalFrame, frameNumber: bigint, branch: FrameBranch<GlobalFrame> | undefined) =>
    shardUpdateHistory(parent, frameNumber, branch, committed)
  const proposableUpdates = (parent: GlobalFrame, branch: FrameBranch<GlobalFrame>) =>
    Effect.gen(function* () {
      if (params.pendingShardUpdates === undefined || params.committee === undefined) return []
      const candidates = yield* params.pendingShardUpdates
      if (candidates.length === 0) return []
      const frameNumber = parent.header.frameNumber + 1n
      const chosen = yield* selectShardUpdates(candidates, frameNumber, yield* history(parent, frameNumber, branch), params.committee)
      return chosen.map(encodeProverShardUpdate)
    })
  // After the updates, the pending lifecycle requests that pass the validators' shape check and that the
  // parent's uncommitted ancestry (what this node's Forks holds, at most SHARD_UPDATE_WINDOW frames) does
  // not carry already: a request leaves the pool only once a frame carrying it commits (D-GC-19).
  const proposableLifecycle = (parent: GlobalFrame, branch: FrameBranch<GlobalFrame>) =>
    Effect.gen(function* () {
      if (params.pendingLifecycle === undefined) return []
      const pending = yield* params.pendingLifecycle
      if (pending.length === 0) return []
      const carried = new Set<string>()
      let frame: GlobalFrame | undefined = parent
      for (let depth = 0n; frame !== undefined && depth < SHARD_UPDATE_WINDOW; depth++) {
        for (const r of frame.requests) carried.add(bytesToHex(r))
        frame = branch.frame(frame.header.parentSelector)
      }
      return pending.filter((r) => isProposableLifecycle(r) && !carried.has(bytesToHex(r))).slice(0, MAX_LIFECYCLE_REQUESTS)
    })
  const proposable = (parent: GlobalFrame, branch: FrameBranch<GlobalFrame>) =>
    Effect.map(Effect.all([proposableUpdates(parent, branch), proposableLifecycle(parent, branch)]), ([updates, lifecycle]) => [...updates, ...lifecycle])
  return {
    name: "global",
    filter: new Uint8Array(),
    bitmask: GLOBAL_CONSENSUS_BITMASK,
    genesisFrame: ({ timestamp, difficulty }) => new GlobalFrame({ header: stubGlobalGenesisHeader({ timestamp, difficulty }), requests: [] }),
    validateProposal: (proposal, context) => validateProposal({ proposal, ...context }),
    validateFrame: (frame, activeProvers, parent, branch) =>
      Effect.gen(function* () {
        const h = frame.header
        const validated = yield* validateGlobalFrame({ header: h, activeProvers, parent: parent.header })
        if (!bytesEqual(h.requestsRoot, requestsRoot(frame.requests))) {
          return yield* Effect.fail(new BadRequestsRoot({ detail: "requests_root does not commit to the frame's requests" }))
        }
        const updates = frame.requests.slice(0, lifecycleStart(frame.requests))
        yield* validateLifecycleRequests(frame.requests)
        if (updates.length > 0) {
          const last = yield* history(parent, h.frameNumber, branch)
          yield* validateShardUpdates(updates, {
            globalFrameNumber: h.frameNumber,
            committee: () => activeProvers,
            lastIncluded: (address) => last.get(bytesToHex(address)),
          })
        }
        return validated
      }),
    produceFrame: ({ parent, branch, rank, nowMs, proverIndex, difficulty }) =>
      Effect.gen(function* () {
        const requests = yield* proposable(parent, branch)
        const timestamp = globalHeaderTimestamp(nowMs)
        const produced = yield* produceGlobalFrameHeader({
          parent: parent.header,
          rank,
          timestamp,
          difficulty: difficulty(rank, timestamp),
          globalCommitments: Array.from({ length: GLOBAL_COMMITMENT_COUNT }, zeroCommitment),
          proverTreeCommitment: zeroCommitment(),
          requestsRoot: requestsRoot(requests),
          proverIndex,
        })
        return {
          output: produced.output,
          frameNumber: produced.frameNumber,
          seal: (signature) => new GlobalFrame({ header: new GlobalFrameHeader({ ...produced, publicKeySignatureBls48581: signature }), requests }),
        }
      }),
    makeProposal: ({ state, parentQuorumCertificate, priorRankTimeoutCertificate, vote }) =>
      new GlobalProposal({
        state,
        parentQuorumCertificate,
        ...(priorRankTimeoutCertificate === undefined ? {} : { priorRankTimeoutCertificate }),
        vote,
      }),
    withCertificateSignature: (frame, aggregate) =>
      new GlobalFrame({ header: new GlobalFrameHeader({ ...frame.header, publicKeySignatureBls48581: aggregate }), requests: frame.requests }),
    decodeMessage: decodeWire,
    encodeProposal: encodeGlobalProposal,
    encodeSyncRequest,
    decodeSyncRequest,
    encodeSyncResponse,
    decodeSyncResponse,
  }
}

/** The global chain without a shard-update source (its frames carry no requests). */
export const globalChainKind: ChainKind<GlobalFrame, GlobalProposal> = makeGlobalChainKind()
