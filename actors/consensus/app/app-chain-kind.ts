// One app shard as a HotStuff chain kind (actors/consensus/core/chain-kind.ts): filter = the shard
// address, consensus on `0x00 ‖ appFilter`, AppShardFrame and AppShardProposal with their codecs, §10.2
// validation plus this shard's rules (address, requests_root D-APP-2, state roots D-APP-1), production
// per §1.6 and the app genesis of §1.7. The engine's ports (takeRequests, stateRootsAt, feeVote,
// globalHead) reach the outside; the kind does no I/O of its own.
import { Data, Effect, Either } from "effect"
import { ProverSigner } from "../../../crates/ts/services.ts"
import type { ChainKind, FrameBranch } from "../core/chain-kind.ts"
import { produceAppFrameHeader, produceAppGenesisHeader } from "../core/frame-production.ts"
import { BadAddress, BadRequestsRoot, BadStateRoots } from "../core/frame-rejection.ts"
import { validateAppFrame } from "../core/frame-validation.ts"
import { AppFrameHeader } from "../core/messages/app-frame-header.ts"
import { AppShardFrame } from "../core/messages/app-shard-frame.ts"
import { bytesEqual } from "../core/messages/fields.ts"
import { checkMessageBundleBytes } from "../core/messages/message-bundle-bytes.ts"
import { AppShardProposal, encodeAppShardProposal } from "../core/messages/proposals.ts"
import { validateProposal } from "../core/proposal-validation.ts"
import { finalizedAncestor, type FrameLookup } from "./finalized-ancestor.ts"
import { globalLeadHold, nextFrameNumber } from "./global-lead.ts"
import { requestsRoot } from "../core/requests-root.ts"
import type { ShardOwner } from "./shard-owner.ts"
import { stateRootsDiverged } from "./state-divergence.ts"
import { appConsensusBitmask, decodeAppSyncRequest, decodeAppSyncResponse, decodeAppWire, encodeAppSyncRequest, encodeAppSyncResponse } from "./wire.ts"

/** The reference decoder's bounds on bundles per frame and bytes per bundle (D-CANON-2). */
const MAX_REQUESTS_PER_FRAME = 100
const MAX_REQUEST_BYTES = 74_000

/** A bundle peers could not decode would make the whole proposal undecodable: such bundles stay out. */
const proposable = (bundle: Uint8Array): boolean => bundle.length <= MAX_REQUEST_BYTES && Either.isRight(checkMessageBundleBytes("request", bundle))
const DEFAULT_FEE_MULTIPLIER_VOTE = 100n

/** The leader cannot produce: the post-state of the frame its header must commit to is not there. */
class StateRootsUnavailable extends Data.TaggedError("StateRootsUnavailable")<{ readonly detail: string }> {}

/** What the chain kind asks of the worker that runs the shard (wired by engine.ts). */
export interface AppChainPorts {
  /**
   * Canonical MessageBundle bytes for the frame a leader is producing (at most 100 are used). `inFlight`
   * are the bundles the frame's not yet finalized ancestors carry: proposing one again would apply it twice.
   */
  readonly takeRequests: (frameNumber: bigint, inFlight: ReadonlyArray<Uint8Array>) => Effect.Effect<ReadonlyArray<Uint8Array>>
  /** The four shard roots after executing committed frame `frameNumber` (0 = the initial state); undefined before it ran. */
  readonly stateRootsAt: (frameNumber: bigint) => Effect.Effect<ReadonlyArray<Uint8Array> | undefined>
  /** This prover's fee multiplier vote (§6); default 100. */
  readonly feeVote?: Effect.Effect<bigint>
  /** The global head frame number the shard's frame numbers follow (§1.6 step 4); undefined: prior + 1. */
  readonly globalHead?: Effect.Effect<bigint | undefined>
  /** Asks for a newer global head in the background (a held leader, D-APP-17); returns at once. Absent: never held. */
  readonly refreshGlobalHead?: Effect.Effect<void>
  /** Committed frames below the Forks root and genesis, by selector (the engine's store index). */
  readonly committedFrame: FrameLookup
  /** The intrinsic owning the shard's state, to name it when roots diverge (D-APP-14); absent: "unknown". */
  readonly stateOwner?: Effect.Effect<ShardOwner | undefined>
}

export interface AppChainParams {
  /** The shard address (32–64 bytes). */
  readonly address: Uint8Array
  /** From `appGenesisFrame`: every replica derives the same one from its config. */
  readonly genesis: AppShardFrame
  readonly ports: AppChainPorts
}

/** Genesis has no prover; §10.2 step 3.4 still wants a non-empty one. */
const GENESIS_PROVER = new Uint8Array(32)

/** The shard's frame 0 (§1.3, §1.7): deterministic from the address and the configured difficulty. */
export const appGenesisFrame = (address: Uint8Array, difficulty: number) =>
  Effect.map(produceAppGenesisHeader({ address, difficulty, prover: GENESIS_PROVER }), (header) => new AppShardFrame({ header, requests: [] }))

/** The frame this node holds with that selector: uncommitted or the Forks root, else committed, else genesis. */
const lookupIn =
  (params: AppChainParams, branch: FrameBranch<AppShardFrame>): FrameLookup =>
  (selector) =>
    branch.frame(selector) ?? params.ports.committedFrame(selector)

/** The roots a child of `parent` must carry (D-APP-1): the post-state of the frame A that the parent QC finalizes. */
const expectedStateRoots = (params: AppChainParams, parent: AppShardFrame, branch: FrameBranch<AppShardFrame>) =>
  Effect.gen(function* () {
    const ancestor = finalizedAncestor(parent, lookupIn(params, branch))
    if (ancestor === undefined) return { _tag: "Unavailable", detail: "the branch below the parent is not known here" } as const
    const roots = yield* params.ports.stateRootsAt(ancestor.header.frameNumber)
    if (roots === undefined) return { _tag: "Unavailable", detail: `frame ${ancestor.header.frameNumber} is not executed here` } as const
    return { _tag: "Roots", frameNumber: ancestor.header.frameNumber, roots } as const
  })

/** The bundles of `parent` and its ancestors this node still holds uncommitted (the Forks root included). */
const bundlesAbove = (parent: AppShardFrame, branch: FrameBranch<AppShardFrame>): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  for (let f: AppShardFrame | undefined = parent; f !== undefined; f = branch.frame(f.header.parentSelector)) {
    out.push(...f.requests)
    if (f.header.frameNumber === 0n) break
  }
  return out
}

export const appChainKind = (params: AppChainParams): ChainKind<AppShardFrame, AppShardProposal> => {
  const { address, genesis, ports } = params
  return {
    name: "app",
    filter: address,
    bitmask: appConsensusBitmask(address),
    genesisFrame: () => genesis,
    settleBeforeValidation: true,
    validateProposal: (proposal, context) => validateProposal({ proposal, ...context }),
    validateFrame: (frame, activeProvers, parent, branch) =>
      Effect.gen(function* () {
        const h = frame.header
        if (!bytesEqual(h.address, address)) return yield* Effect.fail(new BadAddress({ detail: "the frame is for another shard" }))
        yield* validateAppFrame({ header: h, activeProvers, parent: parent.header })
        if (!bytesEqual(h.requestsRoot, requestsRoot(frame.requests))) {
          return yield* Effect.fail(new BadRequestsRoot({ detail: "requests_root does not commit to the frame's bundles" }))
        }
        // Committed frames (sync) were voted on by a quorum that checked their roots; proposals are checked here.
        if (branch === undefined) return
        const expected = yield* expectedStateRoots(params, parent, branch)
        if (expected._tag === "Unavailable") return yield* Effect.fail(new BadStateRoots({ detail: expected.detail }))
        const same = h.stateRoots.length === expected.roots.length && h.stateRoots.every((r, i) => bytesEqual(r, expected.roots[i] ?? new Uint8Array()))
        if (!same) {
          const owner = ports.stateOwner === undefined ? undefined : yield* ports.stateOwner
          return yield* Effect.fail(
            yield* stateRootsDiverged({ shard: address, frameNumber: expected.frameNumber, proposed: h.stateRoots, local: expected.roots, owner }),
          )
        }
      }),
    holdProposal: (parent, rank) =>
      Effect.gen(function* () {
        const { globalHead, refreshGlobalHead } = ports
        // A head that cannot be asked for again cannot be waited on: a waiting shard submits no frames, so
        // it would never hear the head move from a submission's answer.
        if (globalHead === undefined || refreshGlobalHead === undefined) return undefined
        const head = yield* globalHead
        // Asked at every proposal: the head a submission's answer brought is two rounds old (2-chain).
        yield* refreshGlobalHead
        // Unknown (a fresh worker before the master's first answer): not held.
        return head === undefined ? undefined : globalLeadHold(parent.header, rank, head)
      }),
    produceFrame: ({ parent, branch, rank, nowMs, difficulty }) =>
      Effect.gen(function* () {
        const signer = yield* ProverSigner
        const head = ports.globalHead === undefined ? undefined : yield* ports.globalHead
        // §1.6 step 4; a global head at or below the parent would break "later than the parent" (D-VAL-3).
        const frameNumber = nextFrameNumber(parent.header.frameNumber, head)
        const requests = (yield* ports.takeRequests(frameNumber, bundlesAbove(parent, branch))).filter(proposable).slice(0, MAX_REQUESTS_PER_FRAME)
        const expected = yield* expectedStateRoots(params, parent, branch)
        if (expected._tag === "Unavailable") return yield* Effect.fail(new StateRootsUnavailable({ detail: expected.detail }))
        const timestamp = nowMs
        const header = yield* produceAppFrameHeader({
          parent: parent.header,
          frameNumber,
          rank,
          timestamp,
          difficulty: difficulty(rank, timestamp),
          feeMultiplierVote: ports.feeVote === undefined ? DEFAULT_FEE_MULTIPLIER_VOTE : yield* ports.feeVote,
          requestsRoot: requestsRoot(requests),
          stateRoots: expected.roots,
          prover: signer.address,
        })
        return {
          output: header.output,
          frameNumber,
          seal: (signature) => new AppShardFrame({ header: new AppFrameHeader({ ...header, publicKeySignatureBls48581: signature }), requests }),
        }
      }),
    makeProposal: ({ state, parentQuorumCertificate, priorRankTimeoutCertificate, vote }) =>
      new AppShardProposal({
        state,
        parentQuorumCertificate,
        ...(priorRankTimeoutCertificate === undefined ? {} : { priorRankTimeoutCertificate }),
        vote,
      }),
    withCertificateSignature: (frame, aggregate) =>
      new AppShardFrame({ header: new AppFrameHeader({ ...frame.header, publicKeySignatureBls48581: aggregate }), requests: frame.requests }),
    decodeMessage: decodeAppWire,
    encodeProposal: encodeAppShardProposal,
    encodeSyncRequest: encodeAppSyncRequest,
    decodeSyncRequest: decodeAppSyncRequest,
    encodeSyncResponse: encodeAppSyncResponse,
    decodeSyncResponse: decodeAppSyncResponse,
  }
}
