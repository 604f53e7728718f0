// Client builders (spec §11.1): build and sign each hypergraph operation. Shared by the CLI and
// the tests; deterministic for given inputs (Ed448 signatures are deterministic, RFC 8032).
import { ed448 } from "@noble/curves/ed448.js"
import { sha3_256 } from "@noble/hashes/sha3.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { atomId, type Builder, type BuildEnv, BuildError, DOMAIN_LENGTH, ID_LENGTH } from "../contract/index.ts"
import { ed448SignedBytes } from "./checks.ts"
import { type HypergraphConfig, hypergraphInstanceAddress } from "./config.ts"
import {
  BLS_PUBLIC_KEY_BYTES,
  ED448_PUBLIC_KEY_BYTES,
  SIG_HYPEREDGE_ADD,
  SIG_HYPEREDGE_REMOVE,
  SIG_VERTEX_ADD_PLAINTEXT,
  SIG_VERTEX_REMOVE,
} from "./constants.ts"
import { type Entries, entriesProblem, sortEntries } from "./entries.ts"
import { canonicalMembers } from "./hyperedge.ts"
import { concatBytes } from "@noble/hashes/utils.js"
import { hypergraphDeploy } from "./ops/deploy.ts"
import { hyperedgeAdd, hyperedgeAddMessage } from "./ops/hyperedge-add.ts"
import { hyperedgeRemove, hyperedgeRemoveMessage } from "./ops/hyperedge-remove.ts"
import { hypergraphUpdate, updateMessage, updateSignatureDomain } from "./ops/update.ts"
import { vertexAdd, vertexAddMessage } from "./ops/vertex-add.ts"
import { vertexRemove, vertexRemoveMessage } from "./ops/vertex-remove.ts"

const ED448_SECRET_KEY_BYTES = 57

const fail = (reason: string) => Effect.fail(new BuildError({ reason }))

const requireLength = (what: string, bytes: Uint8Array, ...lengths: ReadonlyArray<number>): Effect.Effect<void, BuildError> =>
  lengths.includes(bytes.length) ? Effect.void : fail(`${what} must be ${lengths.join(" or ")} bytes, got ${bytes.length}`)

const signEd448 = (secretKey: Uint8Array, domain: Uint8Array, opName: string, message: Uint8Array): Effect.Effect<Uint8Array, BuildError> =>
  Effect.flatMap(requireLength("the signing key", secretKey, ED448_SECRET_KEY_BYTES), () =>
    Effect.try({
      try: () => ed448.sign(ed448SignedBytes(domain, opName, message), secretKey),
      catch: (e) => new BuildError({ reason: `Ed448 signing failed: ${String(e)}` }),
    }),
  )

/** The reference CLI's vertex address: SHA3-256 of the concatenated `key ‖ value` pairs, in canonical order. */
export const vertexDataAddress = (entries: Entries): Uint8Array => sha3_256(concatBytes(...sortEntries(entries).flatMap((e) => [e.key, e.value])))

/** quilbun's hyperedge address when none is given: SHA3-256 of the sorted member ids. */
export const hyperedgeDataAddress = (members: ReadonlyArray<Uint8Array>): Uint8Array => sha3_256(concatBytes(...canonicalMembers(members)))

/** The instance address a deploy of `config` creates. */
export const deployedDomain = (config: HypergraphConfig, env: BuildEnv): Effect.Effect<Uint8Array, BuildError> =>
  Either.match(hypergraphInstanceAddress(config, env.crypto), {
    onLeft: (e) => fail(e.reason),
    onRight: (d) => Effect.succeed(d),
  })

export interface DeployArgs {
  readonly config: HypergraphConfig
  readonly schema: string
}

interface UpdateArgs {
  readonly domain: Uint8Array
  readonly config?: HypergraphConfig
  readonly schema?: string
  /** The owner's BLS48-581 secret key; the host's BuildEnv.blsSign signs with it. */
  readonly ownerSecretKey: Uint8Array
}

export interface VertexAddArgs {
  readonly domain: Uint8Array
  readonly entries: Entries
  /** Defaults to vertexDataAddress(entries). */
  readonly dataAddress?: Uint8Array
  readonly signingKey: Uint8Array
}

export interface VertexRemoveArgs {
  readonly domain: Uint8Array
  readonly dataAddress: Uint8Array
  readonly signingKey: Uint8Array
}

export interface HyperedgeAddArgs {
  readonly domain: Uint8Array
  readonly members: ReadonlyArray<Uint8Array>
  /** Defaults to hyperedgeDataAddress(members). */
  readonly dataAddress?: Uint8Array
  readonly signingKey: Uint8Array
}

export interface HyperedgeRemoveArgs {
  readonly hyperedgeId: Uint8Array
  readonly signingKey: Uint8Array
}

const checkConfig = (config: HypergraphConfig): Effect.Effect<void, BuildError> =>
  Effect.all([
    requireLength("the read key", config.readPublicKey, ED448_PUBLIC_KEY_BYTES),
    requireLength("the write key", config.writePublicKey, ED448_PUBLIC_KEY_BYTES),
    requireLength("the owner key", config.ownerPublicKey, 0, BLS_PUBLIC_KEY_BYTES),
  ]).pipe(Effect.asVoid)

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

export const deployBuilder: Builder<DeployArgs> = {
  description: "a hypergraph deploy (config + RDF schema), routed to HYPERGRAPH_BASE_DOMAIN",
  build: (args) => Effect.as(checkConfig(args.config), hypergraphDeploy.encode({ config: args.config, schema: utf8(args.schema) })),
}

export const updateBuilder: Builder<UpdateArgs> = {
  description: "a hypergraph update signed by the owner key",
  build: (args, env) =>
    Effect.gen(function* () {
      if (args.config === undefined && args.schema === undefined) return yield* fail("an update needs a config, a schema or both")
      const blsSign = env.blsSign
      if (blsSign === undefined) return yield* fail("the host binds no BLS48-581 signer; an update needs the owner's signature")
      yield* requireLength("the domain", args.domain, DOMAIN_LENGTH)
      if (args.config !== undefined) yield* checkConfig(args.config)
      const unsigned = { domain: args.domain, config: args.config, schema: args.schema === undefined ? undefined : utf8(args.schema) }
      const signature = yield* Effect.try({
        try: () => blsSign(args.ownerSecretKey, updateMessage(unsigned), updateSignatureDomain(args.domain)),
        catch: (e) => new BuildError({ reason: `owner signing failed: ${String(e)}` }),
      })
      return hypergraphUpdate.encode({ ...unsigned, signature })
    }),
}

export const vertexAddBuilder: Builder<VertexAddArgs> = {
  description: "a plaintext vertex add signed by the write key",
  build: (args) =>
    Effect.gen(function* () {
      yield* requireLength("the domain", args.domain, DOMAIN_LENGTH)
      const entries = sortEntries(args.entries)
      const problem = entriesProblem(entries)
      if (problem !== undefined) return yield* fail(problem)
      if (entries.length === 0) return yield* fail("a vertex needs at least one entry")
      const dataAddress = args.dataAddress ?? vertexDataAddress(entries)
      yield* requireLength("the data address", dataAddress, DOMAIN_LENGTH)
      const unsigned = { domain: args.domain, dataAddress, entries }
      const signature = yield* signEd448(args.signingKey, args.domain, SIG_VERTEX_ADD_PLAINTEXT, vertexAddMessage(unsigned))
      return vertexAdd.encode({ ...unsigned, signature })
    }),
}

export const vertexRemoveBuilder: Builder<VertexRemoveArgs> = {
  description: "a vertex remove signed by the write key",
  build: (args) =>
    Effect.gen(function* () {
      yield* requireLength("the domain", args.domain, DOMAIN_LENGTH)
      yield* requireLength("the data address", args.dataAddress, DOMAIN_LENGTH)
      const signature = yield* signEd448(args.signingKey, args.domain, SIG_VERTEX_REMOVE, vertexRemoveMessage(args))
      return vertexRemove.encode({ domain: args.domain, dataAddress: args.dataAddress, signature })
    }),
}

export const hyperedgeAddBuilder: Builder<HyperedgeAddArgs> = {
  description: "a hyperedge add signed by the write key",
  build: (args) =>
    Effect.gen(function* () {
      yield* requireLength("the domain", args.domain, DOMAIN_LENGTH)
      const members = canonicalMembers(args.members)
      if (members.length === 0) return yield* fail("a hyperedge needs at least one member")
      for (const m of members) yield* requireLength("a member id", m, ID_LENGTH)
      const dataAddress = args.dataAddress ?? hyperedgeDataAddress(members)
      yield* requireLength("the data address", dataAddress, DOMAIN_LENGTH)
      const value = { id: atomId(args.domain, dataAddress), members }
      const signature = yield* signEd448(args.signingKey, args.domain, SIG_HYPEREDGE_ADD, hyperedgeAddMessage({ domain: args.domain, value }))
      return hyperedgeAdd.encode({ domain: args.domain, value, signature })
    }),
}

export const hyperedgeRemoveBuilder: Builder<HyperedgeRemoveArgs> = {
  description: "a hyperedge remove signed by the write key",
  build: (args) =>
    Effect.gen(function* () {
      yield* requireLength("the hyperedge id", args.hyperedgeId, ID_LENGTH)
      const domain = args.hyperedgeId.slice(0, DOMAIN_LENGTH)
      const signature = yield* signEd448(args.signingKey, domain, SIG_HYPEREDGE_REMOVE, hyperedgeRemoveMessage({ domain, hyperedgeId: args.hyperedgeId }))
      return hyperedgeRemove.encode({ domain, hyperedgeId: args.hyperedgeId, signature })
    }),
}

export const hypergraphBuilders = {
  deploy: deployBuilder,
  update: updateBuilder,
  putVertex: vertexAddBuilder,
  removeVertex: vertexRemoveBuilder,
  putHyperedge: hyperedgeAddBuilder,
  removeHyperedge: hyperedgeRemoveBuilder,
} as const
