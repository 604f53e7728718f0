// The hypergraph intrinsic (spec §3, §3.8): the first built-in on the contract.
import type { Intrinsic } from "../contract/index.ts"
import { hypergraphBuilders } from "./builders.ts"
import { hypergraphCli } from "./cli.ts"
import { hypergraphManifest } from "./manifest.ts"
import { hypergraphDeploy } from "./ops/deploy.ts"
import { hyperedgeAdd } from "./ops/hyperedge-add.ts"
import { hyperedgeRemove } from "./ops/hyperedge-remove.ts"
import { hypergraphUpdate } from "./ops/update.ts"
import { vertexAdd } from "./ops/vertex-add.ts"
import { vertexRemove } from "./ops/vertex-remove.ts"
import { hypergraphQueries } from "./queries.ts"

export const hypergraphIntrinsic: Intrinsic<typeof hypergraphBuilders> = {
  manifest: hypergraphManifest,
  operations: [hypergraphDeploy, hypergraphUpdate, vertexAdd, vertexRemove, hyperedgeAdd, hyperedgeRemove],
  queries: hypergraphQueries,
  builders: hypergraphBuilders,
  cli: hypergraphCli,
}
