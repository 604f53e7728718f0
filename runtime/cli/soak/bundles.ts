// The work the soak submits: one hypergraph deploy (a new app shard every node covers), then putVertex
// bundles to it, each a different vertex (its address is a hash of the seed and a sequence number), so
// every bundle has its own id and a committed bundle applied twice would show.
import { sha256 } from "@noble/hashes/sha2.js"
import { ed448 } from "@noble/curves/ed448.js"
import { Effect } from "effect"
import { deployBuilder, deployedDomain, hypergraphBuilders } from "../../../intrinsics/hypergraph/builders.ts"
import { encodeMessageBundle } from "../../../intrinsics/contract/index.ts"
import type { BuildError } from "../../../intrinsics/contract/index.ts"
import { nodeBuildEnv } from "../../node/intrinsics.ts"

const SCHEMA = `@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix qcl: <https://types.quilibrium.com/qcl/> .
@prefix soak: <https://example.org/soak/> .
soak:Entry a rdfs:Class .
soak:Body a rdfs:Property ; rdfs:domain soak:Entry ; rdfs:range qcl:String ; qcl:order 0 ; qcl:size 64 .
`

export interface SoakBundles {
  readonly deploy: Uint8Array
  readonly domain: Uint8Array
  /** the seq-th write (seq ≥ 1) */
  readonly write: (seq: number) => Effect.Effect<Uint8Array, BuildError>
}

export const makeSoakBundles = (seed: number) =>
  Effect.gen(function* () {
    // The write key is a function of the seed, so two soaks never deploy the same domain.
    const secret = sha256(new TextEncoder().encode(`quilbun soak write key ${seed}`)).subarray(0, 32)
    const writeSecret = new Uint8Array(57)
    writeSecret.set(secret)
    const writeKey = ed448.getPublicKey(writeSecret)
    const config = { readPublicKey: writeKey, writePublicKey: writeKey, ownerPublicKey: new Uint8Array() }
    const operation = yield* deployBuilder.build({ config, schema: SCHEMA }, nodeBuildEnv)
    const domain = yield* deployedDomain(config, nodeBuildEnv)
    const write = (seq: number) =>
      Effect.map(
        hypergraphBuilders.putVertex.build(
          {
            domain,
            entries: [{ key: Uint8Array.of(0), value: new TextEncoder().encode(`soak ${seed} entry ${seq}`) }],
            dataAddress: sha256(new TextEncoder().encode(`quilbun soak ${seed} vertex ${seq}`)),
            signingKey: writeSecret,
          },
          nodeBuildEnv,
        ),
        (op) => encodeMessageBundle([op], BigInt(Date.now())),
      )
    return { deploy: encodeMessageBundle([operation], BigInt(Date.now())), domain, write } satisfies SoakBundles
  })
