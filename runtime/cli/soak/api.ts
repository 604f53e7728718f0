// The few admin-API calls the soak makes, each with a timeout (a stalled node must not stall the soak)
// and each answer decoded with the API's own schemas.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Schema } from "effect"
import { BundleAccepted, BundleStatusAnswer, GlobalFrameHead, NodeInfo, ShardStatusView, WorkerView } from "../../api/backend.ts"
import { type ApiError, BadAnswer, NodeRefused, NodeUnreachable } from "./errors.ts"

const REQUEST_TIMEOUT_MS = 5_000

const FrameSelector = Schema.Struct({ frameNumber: Schema.Number, selector: Schema.String })

const call = <A, I>(url: string, schema: Schema.Schema<A, I>, init?: RequestInit): Effect.Effect<A, ApiError> =>
  Effect.gen(function* () {
    const res = yield* Effect.tryPromise({
      try: (signal) => fetch(url, { ...init, signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) }),
      catch: (e) => new NodeUnreachable({ url, reason: e instanceof Error ? e.message : String(e) }),
    })
    if (!res.ok) {
      // drain the body so the connection is reused
      yield* Effect.promise(() => res.arrayBuffer().catch(() => undefined))
      return yield* new NodeRefused({ url, status: res.status })
    }
    const body = yield* Effect.tryPromise({
      try: () => res.json() as Promise<unknown>,
      catch: (e) => new NodeUnreachable({ url, reason: e instanceof Error ? e.message : String(e) }),
    })
    return yield* Schema.decodeUnknown(schema)(body).pipe(Effect.mapError((e) => new BadAnswer({ url, reason: e.message })))
  })

export interface NodeApi {
  readonly url: string
  readonly health: Effect.Effect<boolean>
  readonly nodeInfo: Effect.Effect<NodeInfo, ApiError>
  readonly workers: Effect.Effect<ReadonlyArray<WorkerView>, ApiError>
  readonly shards: Effect.Effect<ReadonlyArray<ShardStatusView>, ApiError>
  readonly head: Effect.Effect<GlobalFrameHead, ApiError>
  readonly frameSelector: (frameNumber: number) => Effect.Effect<string, ApiError>
  readonly submit: (bundle: Uint8Array) => Effect.Effect<BundleAccepted, ApiError>
  readonly bundleStatus: (id: string) => Effect.Effect<BundleStatusAnswer, ApiError>
}

export const nodeApi = (url: string, token: string): NodeApi => ({
  url,
  health: Effect.tryPromise((signal) => fetch(`${url}/health`, { signal: AbortSignal.any([signal, AbortSignal.timeout(1_000)]) })).pipe(
    Effect.map((res) => res.ok),
    Effect.orElseSucceed(() => false),
  ),
  nodeInfo: call(`${url}/v1/node`, NodeInfo),
  workers: call(`${url}/v1/workers`, Schema.Array(WorkerView)),
  shards: call(`${url}/v1/shards`, Schema.Array(ShardStatusView)),
  head: call(`${url}/v1/frames/global/head`, GlobalFrameHead),
  frameSelector: (n) => Effect.map(call(`${url}/v1/frames/global/${n}`, FrameSelector), (f) => f.selector),
  submit: (bundle) =>
    call(`${url}/v1/bundles`, BundleAccepted, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ bundle: bytesToHex(bundle) }),
    }),
  bundleStatus: (id) => call(`${url}/v1/bundles/${id}`, BundleStatusAnswer),
})
