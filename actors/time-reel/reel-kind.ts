// What differs between the global reel and an app-shard reel (consensus.md §2): frame ids, validation,
// parent linkage, equivocation equality, fork-choice inputs, storage bucket and the events emitted.
import { Effect, Either } from "effect"
import {
  AppFork,
  AppEquivocation,
  AppNewHead,
  GlobalEquivocation,
  GlobalFork,
  GlobalNewHead,
  type ControlEvent,
  type FrameRef,
} from "../event-distributor/index.ts"
import { Buckets, type Bucket } from "../../runtime/store/index.ts"
import { appFrameId, globalFrameId } from "../consensus/core/frame-id.ts"
import type { FrameRejection } from "../consensus/core/frame-rejection.ts"
import { validateAppFrame, validateGlobalFrame } from "../consensus/core/frame-validation.ts"
import { AppShardFrame, decodeAppShardFrame, encodeAppShardFrame } from "../consensus/core/messages/app-shard-frame.ts"
import { bytesEqual } from "../consensus/core/messages/fields.ts"
import { decodeGlobalFrame, encodeGlobalFrame, GlobalFrame } from "../consensus/core/messages/global-frame.ts"
import type { PoseidonHash } from "../../crates/ts/services.ts"
import type { ActiveProver } from "../consensus/core/prover-ring.ts"
import type { BlsVerifier, FrameVdf, Poseidon } from "../../crates/ts/services.ts"
import type { ScoringInputs } from "./head-choice.ts"
import type { ReelFrame, ReelNode } from "./reel-frame.ts"

interface NewHeadInput<F> {
  readonly frame: F
  readonly frameId: string
  readonly selector: Uint8Array
  readonly oldHead: FrameRef | undefined
  readonly replay: boolean
}

interface ForkInput<F> {
  readonly frame: F
  readonly frameId: string
  readonly selector: Uint8Array
  readonly oldHead: FrameRef
  readonly commonAncestor: FrameRef
  readonly reverted: ReadonlyArray<FrameRef>
}

/** What validation yields: the selector (poseidon(output)) and the signer bitmask indices. */
export interface ValidatedReelFrame {
  readonly selector: Uint8Array
  readonly signers: ReadonlyArray<number>
}

const validated = (v: { readonly selector: Uint8Array; readonly signerIndices: ReadonlyArray<number> }): ValidatedReelFrame => ({
  selector: v.selector,
  signers: v.signerIndices,
})

export interface ReelKind<F extends ReelFrame> {
  readonly kind: "global" | "app"
  /** Empty for the global reel; the shard address for an app reel. */
  readonly filter: Uint8Array
  readonly bucket: Bucket
  /** Does this reel take the frame at all (app: the address must match, §2.3 step 1)? */
  readonly accepts: (frame: ReelFrame) => frame is F
  readonly frameId: (poseidon: PoseidonHash, frame: F) => string
  readonly validate: (
    frame: F,
    activeProvers: ReadonlyArray<ActiveProver>,
  ) => Effect.Effect<ValidatedReelFrame, FrameRejection, Poseidon | FrameVdf | BlsVerifier>
  /** Global frames are exactly parent + 1; app frames only later than the parent (§1.6 step 4). */
  readonly frameNumberRule: "exactly-next" | "later"
  /** "Differ" for equivocation, signatures ignored (§2.3 step 3). */
  readonly sameContent: (a: F, b: F) => boolean
  readonly scoring: ScoringInputs<F>
  readonly encode: (frame: F) => Uint8Array
  readonly decode: (bytes: Uint8Array) => F | string
  readonly newHead: (input: NewHeadInput<F>) => ControlEvent
  readonly fork: (input: ForkInput<F>) => ControlEvent
  readonly equivocation: (frame: F, frameId: string, equivocators: ReadonlyArray<number>, message: string) => ControlEvent
}

const zeroDistance = (): bigint => 0n

export interface GlobalValidationOptions {
  /**
   * BLS-verify the header's aggregate over the vote message and require the signers to reach the
   * quorum threshold. The reference leaves both to QC verification (§10.1, D-VAL-4); a reel fed with
   * certified frames that arrive without their QC (a follower) should turn them on (D-REEL-7).
   */
  readonly certified?: boolean
}

export const globalReelKindWith = (options: GlobalValidationOptions): ReelKind<GlobalFrame> => ({
  kind: "global",
  filter: new Uint8Array(),
  bucket: Buckets.clockFramesGlobal,
  accepts: (frame): frame is GlobalFrame => frame instanceof GlobalFrame,
  frameId: (poseidon, frame) => globalFrameId(poseidon, frame.header),
  validate: (frame, activeProvers) =>
    Effect.map(
      validateGlobalFrame({
        header: frame.header,
        activeProvers,
        verifyAggregateSignature: options.certified ?? false,
        requireQuorum: options.certified ?? false,
      }),
      validated,
    ),
  frameNumberRule: "exactly-next",
  sameContent: (a, b) =>
    a.header.frameNumber === b.header.frameNumber &&
    a.header.timestamp === b.header.timestamp &&
    a.header.difficulty === b.header.difficulty &&
    bytesEqual(a.header.output, b.header.output) &&
    bytesEqual(a.header.parentSelector, b.header.parentSelector),
  // Global frames have no assigned prover: the first 32 output bytes stand in for it (§2.4).
  scoring: { proverOf: (n: ReelNode<GlobalFrame>) => n.frame.header.output.subarray(0, 32), distanceOf: zeroDistance },
  encode: encodeGlobalFrame,
  decode: (bytes) => Either.match(decodeGlobalFrame(bytes), { onLeft: (e) => String(e), onRight: (f) => f }),
  newHead: (i) => new GlobalNewHead({ ...i, oldHead: i.oldHead }),
  fork: (i) => new GlobalFork(i),
  equivocation: (frame, frameId, equivocators, message) => new GlobalEquivocation({ frame, frameId, equivocators, message }),
})

/**
 * App-shard reel for one shard address. The fork-choice distance term uses 0 for every frame until the
 * registry offers `GetOrderedProvers` (D-REEL-8).
 */
export const appReelKind = (address: Uint8Array): ReelKind<AppShardFrame> => ({
  kind: "app",
  filter: address,
  bucket: Buckets.clockFramesApp,
  accepts: (frame): frame is AppShardFrame => frame instanceof AppShardFrame && bytesEqual(frame.header.address, address),
  frameId: (poseidon, frame) => appFrameId(poseidon, frame.header),
  validate: (frame, activeProvers) => Effect.map(validateAppFrame({ header: frame.header, activeProvers }), validated),
  frameNumberRule: "later",
  sameContent: (a, b) =>
    a.header.frameNumber === b.header.frameNumber &&
    a.header.timestamp === b.header.timestamp &&
    a.header.difficulty === b.header.difficulty &&
    bytesEqual(a.header.output, b.header.output) &&
    bytesEqual(a.header.parentSelector, b.header.parentSelector) &&
    bytesEqual(a.header.address, b.header.address) &&
    bytesEqual(a.header.prover, b.header.prover),
  scoring: { proverOf: (n: ReelNode<AppShardFrame>) => n.frame.header.prover, distanceOf: zeroDistance },
  encode: encodeAppShardFrame,
  decode: (bytes) => Either.match(decodeAppShardFrame(bytes), { onLeft: (e) => String(e), onRight: (f) => f }),
  newHead: (i) => new AppNewHead(i),
  fork: (i) => new AppFork(i),
  equivocation: (frame, frameId, equivocators, message) => new AppEquivocation({ frame, frameId, equivocators, message }),
})
