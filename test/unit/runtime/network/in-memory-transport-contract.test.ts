// The transport contract against the in-memory transport (the reference behaviour), real clock.
import { Effect } from "effect"
import { makeInMemoryNetwork } from "../../../../runtime/kernel/transport/in-memory.ts"
import { describeTransportContract } from "./transport-contract.ts"

describeTransportContract("in-memory", (size) =>
  Effect.gen(function* () {
    const network = yield* makeInMemoryNetwork({ seed: 7 })
    const endpoints = yield* Effect.forEach(
      Array.from({ length: size }, (_, i) => `peer-${i}`),
      (id) => network.endpoint(id),
    )
    return { endpoints, ready: () => Effect.void }
  }),
)
