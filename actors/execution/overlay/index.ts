// The execution host's state overlays (spec §11.2): committed snapshot → frame overlay → bundle overlay.
export { BundleOverlay } from "./bundle-overlay.ts"
export { type Change, encodeChanges, encodeRecordedChanges, type RecordedChange, readChanges, readRecordedChanges } from "./changes.ts"
export { type CommittedSnapshot, MemoryCommitted } from "./committed.ts"
export { FrameOverlay, type OverlayOptions } from "./frame-overlay.ts"
export { committedAtoms, restoreChanges, storeSnapshot, writeChanges } from "./store-snapshot.ts"
