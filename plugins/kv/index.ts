// The kv plugin (a Redis-like key-value store, README.md): its manifest, builders and CLI around the
// logic in kv.ts. The default export is what the node loads from `plugins: [./plugins/kv]`.
import * as Effect from "effect/Effect"
import type { Builder, Intrinsic, Manifest } from "../../intrinsics/contract/index.ts"
import { kvCli } from "./cli.ts"
import { KV_BASE_DOMAIN, KV_DEFAULT_DOMAIN, KV_DEL, KV_EXPIRE, KV_INCRBY, KV_SET, type KvOp, kvDel, kvExpire, kvIncrBy, kvQueries, kvSet } from "./kv.ts"

const OP_TYPES = [KV_SET, KV_DEL, KV_INCRBY, KV_EXPIRE] as const

export const kvManifest: Manifest = {
  name: "kv",
  version: "0.1.0",
  baseDomain: KV_BASE_DOMAIN,
  // Only the fixed default instance for now; deployable instances with their own write key come later.
  derivation: { _tag: "FixedOnly" },
  fixedInstances: [{ label: "default", address: KV_DEFAULT_DOMAIN }],
  opTypes: [...OP_TYPES],
  placement: "app",
  feePolicy: OP_TYPES.map((opType) => ({ opType, role: "consumer" as const, producesFees: false })),
  activation: { fromFrame: 0n },
}

const utf8 = new TextEncoder()
/** Builds one op on the default instance (`domain` overrides it); keys and values are UTF-8. */
const builder = (encode: (op: KvOp) => Uint8Array, description: string): Builder<{ readonly key: string; readonly value?: string; readonly n?: bigint }> => ({
  description,
  build: (args) => Effect.succeed(encode({ domain: KV_DEFAULT_DOMAIN, key: utf8.encode(args.key), value: utf8.encode(args.value ?? ""), n: args.n ?? 0n })),
})

export const kvBuilders = {
  set: builder(kvSet.encode, "SET key value [EX n frames] (n 0 = no expiry)"),
  del: builder(kvDel.encode, "DEL key"),
  incrby: builder(kvIncrBy.encode, "INCRBY key n"),
  expire: builder(kvExpire.encode, "EXPIRE key n frames"),
}

const kv: Intrinsic<typeof kvBuilders> = {
  manifest: kvManifest,
  operations: [kvSet, kvDel, kvIncrBy, kvExpire],
  queries: kvQueries,
  builders: kvBuilders,
  cli: kvCli,
}

export default kv
