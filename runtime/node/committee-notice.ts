// A devnet node restarted by hand without its genesis committee (the launcher passes it in the
// environment) would run the single-prover devnet, with no p2p host, on a data dir whose chain was
// made by a committee: nothing fails, it just never talks to its peers again. Say so at start, with
// the fix spelled out from chain.json itself.
import type { ChainMarker } from "./chain-marker.ts"
import { chainMarkerPath } from "./chain-marker.ts"

export const committeeNotice = (dataDir: string, marker: ChainMarker, configured: ReadonlyArray<string> | undefined): string | undefined => {
  const recorded = marker.genesis.committee
  if (recorded.length <= 1 || (configured !== undefined && configured.length > 0)) return undefined
  const file = chainMarkerPath(dataDir)
  return (
    `this data dir's chain was made by a genesis committee of ${recorded.length} provers (${file}), but engine.genesisProvers is not set: ` +
    "the node runs as a standalone single-prover devnet with no p2p host and will not reach its peers. To rejoin, start it with the committee, " +
    `e.g. QUILBUN_ENGINE_GENESIS_PROVERS=$(jq -r '.genesis.committee | join(",")' ${file}) plus its p2p.bootstrap peers, or run it through \`bun run devnet\``
  )
}
