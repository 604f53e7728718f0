// The body of `POST /v1/provers/lifecycle` checked for the operation it names (filters, delegate), before
// anything is built: the node answers 400 with the reason, and the CLI says it before any request.
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import type { SubmitLifecycleBody } from "../api/backend.ts"

/** Filters are shard addresses: 32–64 bytes (intrinsics/global D-GLOB-6); the empty (global) filter is refused (D-GLOB-9). */
const parseFilter = (text: string): Uint8Array | string => {
  const hex = text.replace(/^0x/i, "")
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return `filter ${JSON.stringify(text)} is not hex`
  const bytes = hexToBytes(hex)
  return bytes.length >= 32 && bytes.length <= 64 ? bytes : `filter ${JSON.stringify(text)} is ${bytes.length} bytes (a shard filter is 32–64)`
}

const parseDelegate = (text: string): Uint8Array | string => {
  const hex = text.replace(/^0x/i, "")
  return /^[0-9a-fA-F]{64}$/.test(hex) ? hexToBytes(hex) : `delegate ${JSON.stringify(text)} is not an address (64 hex digits)`
}

/** What each operation takes: the filter count it needs, and whether it takes a delegate. */
const SHAPE: Record<SubmitLifecycleBody["operation"], { readonly filters: "one" | "some" | "none"; readonly delegate: "required" | "optional" | "none" }> = {
  join: { filters: "some", delegate: "optional" },
  confirm: { filters: "some", delegate: "none" },
  reject: { filters: "some", delegate: "none" },
  leave: { filters: "some", delegate: "none" },
  pause: { filters: "one", delegate: "none" },
  resume: { filters: "one", delegate: "none" },
  delegate: { filters: "none", delegate: "required" },
}

interface ParsedBody {
  readonly filters: ReadonlyArray<Uint8Array>
  readonly delegate: Uint8Array | undefined
}

export const parseLifecycleBody = (body: SubmitLifecycleBody): ParsedBody | string => {
  const shape = SHAPE[body.operation]
  const texts = body.filters ?? []
  if (shape.filters === "none" && texts.length > 0) return `${body.operation} takes no filters`
  if (shape.filters === "one" && texts.length !== 1) return `${body.operation} takes exactly one filter (got ${texts.length})`
  if (shape.filters === "some" && texts.length === 0) return `${body.operation} needs at least one filter`
  if (texts.length > 100) return `at most 100 filters per operation (got ${texts.length})`
  const filters: Array<Uint8Array> = []
  for (const t of texts) {
    const f = parseFilter(t)
    if (typeof f === "string") return f
    if (filters.some((g) => bytesToHex(g) === bytesToHex(f))) return `filter ${bytesToHex(f)} is named twice`
    filters.push(f)
  }
  if (shape.delegate === "none" && body.delegate !== undefined) return `${body.operation} takes no delegate`
  if (shape.delegate === "required" && body.delegate === undefined) return `${body.operation} needs a delegate address`
  const delegate = body.delegate === undefined ? undefined : parseDelegate(body.delegate)
  if (typeof delegate === "string") return delegate
  return { filters, delegate }
}
