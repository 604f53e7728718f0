// What the master found and fixed while preparing its data dir, logged once the node's logger is up
// (preparing runs before it): permissions it narrowed, a stale lock it took over, and warnings such
// as a discarded chain (--reset-store) or a regenerated admin token.
import { Effect, Layer, Option } from "effect"
import { formatMode, type PermissionFix } from "../../config/permissions.ts"
import type { StaleLock } from "./data-dir-lock.ts"

export interface StartupReport {
  readonly permissionFixes: ReadonlyArray<PermissionFix>
  readonly tookOver: Option.Option<StaleLock>
  readonly notices: ReadonlyArray<string>
}

export const StartupReportLive = (report: StartupReport): Layer.Layer<never> =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      for (const fix of report.permissionFixes) {
        yield* Effect.logWarning("permissions wider than allowed; narrowed").pipe(
          Effect.annotateLogs({ path: fix.path, oldMode: formatMode(fix.oldMode), newMode: formatMode(fix.newMode) }),
        )
      }
      for (const notice of report.notices) yield* Effect.logWarning(notice)
      if (Option.isSome(report.tookOver)) {
        const stale = report.tookOver.value
        yield* Effect.logWarning(
          stale.pidAlive
            ? "took over the data dir lock: its pid is alive but is not a quilbun master holding it"
            : "took over the data dir lock of a master that is gone",
        ).pipe(Effect.annotateLogs({ previousPid: stale.pid, previousStartedAt: stale.startedAt }))
      }
    }),
  )
