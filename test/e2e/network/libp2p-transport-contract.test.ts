// The transport contract against the libp2p transport: in-process hosts over loopback tcp.
import { Effect } from "effect"
import { pubsubReady, startCluster } from "./libp2p-cluster.ts"
import { describeTransportContract } from "../../unit/runtime/network/transport-contract.ts"

describeTransportContract("libp2p", (size) =>
  Effect.gen(function* () {
    const nodes = yield* startCluster(size)
    return { endpoints: nodes.map((n) => n.transport), ready: (bitmask) => pubsubReady(nodes, bitmask) }
  }),
)
