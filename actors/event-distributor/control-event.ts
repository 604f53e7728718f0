// Control events (consensus.md §7.1, `types/consensus/distributor.go`): the enum order is the value.
// Time-reel events carry the frame plus what a subscriber needs to follow the canonical chain
// (old head, replay flag, and for forks the common ancestor and the reverted frames).
import { Schema } from "effect"
import { AppShardFrame } from "../consensus/core/messages/app-shard-frame.ts"
import { GlobalFrame } from "../consensus/core/messages/global-frame.ts"

const Bytes = Schema.Uint8ArrayFromSelf
const U64 = Schema.BigIntFromSelf

/** A frame as a pointer: number, selector (poseidon(output)) and time-reel id (§2.2). */
export const FrameRef = Schema.Struct({ frameNumber: U64, selector: Bytes, frameId: Schema.String })
export type FrameRef = typeof FrameRef.Type

const newHeadFields = <F extends Schema.Schema.Any>(frame: F) => ({
  frame,
  frameId: Schema.String,
  selector: Bytes,
  /** The head before this event (absent for the very first head). */
  oldHead: Schema.optional(FrameRef),
  /** True when re-announced after a fork or on request (`Replay`), not a first announcement. */
  replay: Schema.Boolean,
})

const forkFields = <F extends Schema.Schema.Any>(frame: F) => ({
  /** The new head. */
  frame,
  frameId: Schema.String,
  selector: Bytes,
  oldHead: FrameRef,
  /** Last frame both branches share; stays canonical. */
  commonAncestor: FrameRef,
  /** Frames that left the canonical chain, old head first (the ancestor excluded, DECISIONS.md D-EV-3). */
  reverted: Schema.Array(FrameRef),
})

const equivocationFields = <F extends Schema.Schema.Any>(frame: F) => ({
  frame,
  frameId: Schema.String,
  /** Signer indices present in both conflicting frames at this height. */
  equivocators: Schema.Array(Schema.Number),
  message: Schema.String,
})

export class Start extends Schema.TaggedClass<Start>()("Start", {}) {}
export class Stop extends Schema.TaggedClass<Stop>()("Stop", {}) {}
/** `ErrorEventData{Error}`: consensus stops for good (no automatic resume, §7.3). */
export class Halt extends Schema.TaggedClass<Halt>()("Halt", { error: Schema.String }) {}
export class Resume extends Schema.TaggedClass<Resume>()("Resume", {}) {}
export class GlobalNewHead extends Schema.TaggedClass<GlobalNewHead>()("GlobalNewHead", newHeadFields(GlobalFrame)) {}
export class GlobalFork extends Schema.TaggedClass<GlobalFork>()("GlobalFork", forkFields(GlobalFrame)) {}
export class GlobalEquivocation extends Schema.TaggedClass<GlobalEquivocation>()("GlobalEquivocation", equivocationFields(GlobalFrame)) {}
export class AppNewHead extends Schema.TaggedClass<AppNewHead>()("AppNewHead", newHeadFields(AppShardFrame)) {}
export class AppFork extends Schema.TaggedClass<AppFork>()("AppFork", forkFields(AppShardFrame)) {}
export class AppEquivocation extends Schema.TaggedClass<AppEquivocation>()("AppEquivocation", equivocationFields(AppShardFrame)) {}

/** `CoverageEventData` (TreeMetadata is left out until the coverage monitor exists, D-EV-5). */
const coverageFields = {
  shardAddress: Bytes,
  proverCount: Schema.Number,
  requiredProvers: Schema.Number,
  attestedStorage: U64,
  message: Schema.String,
}
export class CoverageHalt extends Schema.TaggedClass<CoverageHalt>()("CoverageHalt", coverageFields) {}
export class CoverageWarn extends Schema.TaggedClass<CoverageWarn>()("CoverageWarn", coverageFields) {}
export class CoverageResume extends Schema.TaggedClass<CoverageResume>()("CoverageResume", coverageFields) {}

const MergeGroup = Schema.Struct({
  shardAddresses: Schema.Array(Bytes),
  totalProvers: Schema.Number,
  attestedStorage: U64,
  requiredStorage: U64,
})
export class ShardMergeEligible extends Schema.TaggedClass<ShardMergeEligible>()("ShardMergeEligible", {
  mergeGroups: Schema.Array(MergeGroup),
  frameProver: Bytes,
}) {}
export class ShardSplitEligible extends Schema.TaggedClass<ShardSplitEligible>()("ShardSplitEligible", {
  shardAddress: Bytes,
  proverCount: Schema.Number,
  attestedStorage: U64,
  proposedShards: Schema.Array(Bytes),
  frameProver: Bytes,
}) {}

export const ControlEvent = Schema.Union(
  Start,
  Stop,
  Halt,
  Resume,
  GlobalNewHead,
  GlobalFork,
  GlobalEquivocation,
  AppNewHead,
  AppFork,
  AppEquivocation,
  CoverageHalt,
  CoverageWarn,
  CoverageResume,
  ShardMergeEligible,
  ShardSplitEligible,
)
export type ControlEvent = typeof ControlEvent.Type
export type ControlEventTag = ControlEvent["_tag"]

/** The reference's numeric event type (enum order = value, §7.1). */
export const ControlEventType: { readonly [T in ControlEventTag]: number } = {
  Start: 0,
  Stop: 1,
  Halt: 2,
  Resume: 3,
  GlobalNewHead: 4,
  GlobalFork: 5,
  GlobalEquivocation: 6,
  AppNewHead: 7,
  AppFork: 8,
  AppEquivocation: 9,
  CoverageHalt: 10,
  CoverageWarn: 11,
  CoverageResume: 12,
  ShardMergeEligible: 13,
  ShardSplitEligible: 14,
}

export const ControlEventTagSchema = Schema.Literal(
  "Start",
  "Stop",
  "Halt",
  "Resume",
  "GlobalNewHead",
  "GlobalFork",
  "GlobalEquivocation",
  "AppNewHead",
  "AppFork",
  "AppEquivocation",
  "CoverageHalt",
  "CoverageWarn",
  "CoverageResume",
  "ShardMergeEligible",
  "ShardSplitEligible",
)
