// Start-up permission check of the secrets in a data dir: the data dir and keys/ must be at most
// 0700, keys/*.key and api.token at most 0600. Wider modes (group/other bits, setuid/setgid/sticky,
// an executable key) are narrowed in place and reported, rather than refused: an operator who
// copied a data dir with the wrong umask gets a working node and a warning naming each path.
import { chmodSync, existsSync, readdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { Data, Effect } from "effect"
import { errorReason } from "./fs.ts"
import { KEY_FILES } from "./keys.ts"

export interface PermissionFix {
  readonly path: string
  readonly oldMode: number
  readonly newMode: number
}

export class PermissionFixFailed extends Data.TaggedError("PermissionFixFailed")<{
  readonly path: string
  readonly mode: number
  readonly reason: string
}> {
  override get message(): string {
    return `${this.path} has mode ${formatMode(this.mode)} and cannot be narrowed: ${this.reason}`
  }
}

/** `0644`, `1777`: four octal digits, the way chmod takes them. */
export const formatMode = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, "0")

/** Narrows `path` to `allowed` if it has any other permission bit; returns the fix made, if any. */
const narrow = (path: string, allowed: number): PermissionFix | undefined => {
  if (!existsSync(path)) return undefined
  const oldMode = statSync(path).mode & 0o7777
  if ((oldMode & ~allowed) === 0) return undefined
  const newMode = oldMode & allowed
  try {
    chmodSync(path, newMode)
  } catch (e) {
    throw new PermissionFixFailed({ path, mode: oldMode, reason: errorReason(e) })
  }
  return { path, oldMode, newMode }
}

/** Checks and narrows the data dir, keys/, keys/*.key and api.token; returns what it changed. */
export const tightenDataDirPermissions = (dataDir: string): Effect.Effect<ReadonlyArray<PermissionFix>, PermissionFixFailed> =>
  Effect.try({
    try: () => {
      const keysDir = join(dataDir, "keys")
      const keyFiles = existsSync(keysDir)
        ? readdirSync(keysDir)
            .filter((name) => name.endsWith(".key"))
            .sort()
            .map((name) => join(keysDir, name))
        : []
      const checks: ReadonlyArray<readonly [string, number]> = [
        [dataDir, 0o700],
        [keysDir, 0o700],
        ...keyFiles.map((path) => [path, 0o600] as const),
        [join(dataDir, KEY_FILES.apiToken), 0o600],
      ]
      return checks.flatMap(([path, allowed]) => narrow(path, allowed) ?? [])
    },
    catch: (e) => (e instanceof PermissionFixFailed ? e : new PermissionFixFailed({ path: dataDir, mode: 0, reason: errorReason(e) })),
  })
