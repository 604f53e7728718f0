// The one libp2p request protocol a node serves for all of its workers' shards. A worker has no host of
// its own, so its requests (a shard's sync, say) travel from the master's host inside an envelope that
// names the shard and the shard-level protocol; the serving master hands the inner request to the
// worker that holds that shard. Envelope: appFilter (32) ‖ u16 protocol length ‖ protocol (UTF-8) ‖ data.
import { Data, Either } from "effect"
import { APP_FILTER_BYTES } from "../../runtime/network/bitmask.ts"

export const SHARD_REQUEST_PROTOCOL = "/quilbun/shard-request/1"

/** Longest shard-level protocol name carried (names are short constants like "/quilibrium/app-sync/2"). */
const MAX_PROTOCOL_BYTES = 256

export interface ShardRequestEnvelope {
  readonly appFilter: Uint8Array
  readonly protocol: string
  readonly data: Uint8Array
}

export class BadShardRequest extends Data.TaggedError("BadShardRequest")<{ readonly detail: string }> {}

export const encodeShardRequest = (r: ShardRequestEnvelope): Uint8Array => {
  if (r.appFilter.length !== APP_FILTER_BYTES) throw new RangeError(`an app filter is ${APP_FILTER_BYTES} bytes, got ${r.appFilter.length}`)
  const protocol = new TextEncoder().encode(r.protocol)
  if (protocol.length > MAX_PROTOCOL_BYTES) throw new RangeError(`protocol name longer than ${MAX_PROTOCOL_BYTES} bytes`)
  const out = new Uint8Array(APP_FILTER_BYTES + 2 + protocol.length + r.data.length)
  out.set(r.appFilter, 0)
  new DataView(out.buffer).setUint16(APP_FILTER_BYTES, protocol.length, false)
  out.set(protocol, APP_FILTER_BYTES + 2)
  out.set(r.data, APP_FILTER_BYTES + 2 + protocol.length)
  return out
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

export const decodeShardRequest = (bytes: Uint8Array): Either.Either<ShardRequestEnvelope, BadShardRequest> => {
  if (bytes.length < APP_FILTER_BYTES + 2) return Either.left(new BadShardRequest({ detail: `${bytes.length} bytes is shorter than the envelope header` }))
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint16(APP_FILTER_BYTES, false)
  if (length === 0 || length > MAX_PROTOCOL_BYTES) return Either.left(new BadShardRequest({ detail: `protocol name of ${length} bytes` }))
  const start = APP_FILTER_BYTES + 2
  if (bytes.length < start + length) return Either.left(new BadShardRequest({ detail: "truncated protocol name" }))
  let protocol: string
  try {
    protocol = utf8.decode(bytes.subarray(start, start + length))
  } catch {
    return Either.left(new BadShardRequest({ detail: "protocol name is not UTF-8" }))
  }
  return Either.right({ appFilter: bytes.slice(0, APP_FILTER_BYTES), protocol, data: bytes.slice(start + length) })
}
