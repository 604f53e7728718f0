// An intrinsic, built-in or plugin (design.md §4, spec §11.1): the manifest, one operation per
// owned op type, its queries and builders, and optional CLI and HTTP contributions. Commit,
// unlock and the sum check stay with the host (spec §11.1, last rows of the mapping table).
import type { Builders } from "./builders.ts"
import type { CliContribution } from "./cli.ts"
import type { HttpContribution } from "./http.ts"
import type { Manifest } from "./manifest.ts"
import type { Operation } from "./operation.ts"
import type { Query } from "./query.ts"

export interface Intrinsic<B extends Builders = Builders> {
  /** Re-validated by the registry at load. */
  readonly manifest: Manifest
  /** Exactly one per op type of the manifest. */
  readonly operations: ReadonlyArray<Operation>
  readonly queries: ReadonlyArray<Query>
  readonly builders: B
  readonly cli?: CliContribution
  readonly http?: HttpContribution
}
