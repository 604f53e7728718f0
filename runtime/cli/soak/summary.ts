// The soak's one line of stdout, and whether the run passed.

export interface SoakSummary {
  readonly minutes: number
  readonly seed: number
  readonly kills: number
  readonly stalls: number
  readonly frames: number
  readonly submitted: number
  readonly committed: number
  readonly lost: number
  readonly duplicated: number
  readonly forks: number
  readonly orphans: number
}

export const summaryLine = (s: SoakSummary): string =>
  `soak minutes=${s.minutes} seed=${s.seed} kills=${s.kills} stalls=${s.stalls} frames=${s.frames} submitted=${s.submitted} ` +
  `committed=${s.committed} lost=${s.lost} duplicated=${s.duplicated} forks=${s.forks} orphans=${s.orphans}`

export const passed = (s: SoakSummary): boolean => s.lost === 0 && s.duplicated === 0 && s.forks === 0 && s.orphans === 0
