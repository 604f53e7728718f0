// The lifecycle windows of consensus.md §8.3 and §8.5 as network parameters: mainnet values by
// default, shorter ones for a devnet so a test or a local network sees a join confirmed, a leave
// take effect or a pause expire in minutes instead of hours (DECISIONS.md D-GLOB-3).

/** The 2.1 enrollment gates the reference applies on mainnet only (§8.3 confirm/reject/join). */
interface LegacyEnrollment {
  /** 244100: joins from here until `end` were the extended enrollment. */
  readonly start: bigint
  /** 255480: joins at or after it are always windowed. */
  readonly windowedFrom: bigint
  /** 255840: the enrollment's end; its joins cannot be confirmed before it. */
  readonly end: bigint
}

export interface LifecycleParams {
  /** Frames a join or leave must wait before it can be confirmed (360). */
  readonly confirmDelay: bigint
  /** Frames after which an unconfirmed join or leave expires (720). */
  readonly lifecycleWindow: bigint
  /** Frames after which a pause without resume expires: the allocation has implicitly left (360). */
  readonly pauseTimeout: bigint
  /** How old a join's frame_number may be (10). */
  readonly joinMaxAge: bigint
  /** Eviction: frames without activity, net of shard halt time, after which a prover is kicked (360). */
  readonly inactivityLimit: bigint
  /** Mainnet's historic enrollment gates; absent elsewhere. */
  readonly legacyEnrollment: LegacyEnrollment | undefined
}

export const MAINNET_LIFECYCLE: LifecycleParams = {
  confirmDelay: 360n,
  lifecycleWindow: 720n,
  pauseTimeout: 360n,
  joinMaxAge: 10n,
  inactivityLimit: 360n,
  legacyEnrollment: { start: 244_100n, windowedFrom: 255_480n, end: 255_840n },
}

/**
 * A devnet's windows: the mainnet ratios (window = 2 × delay, pause = delay) at 1/36, so a join is
 * confirmable after 10 frames and expires after 20. The join age limit stays 10 frames.
 */
export const DEVNET_LIFECYCLE: LifecycleParams = {
  confirmDelay: 10n,
  lifecycleWindow: 20n,
  pauseTimeout: 10n,
  joinMaxAge: 10n,
  inactivityLimit: 10n,
  legacyEnrollment: undefined,
}
