// A printable, secret-free view of the effective configuration and the node's public identity
// (for logs, `--print-config` and the admin API).
import { bytesToHex } from "@noble/hashes/utils.js"
import { Schema } from "effect"
import type { ConfigSource } from "./assignment.ts"
import type { NodeKeys } from "./keys.ts"
import { NodeConfigSchema, type NodeConfig, type NodeConfigEncoded } from "./schema.ts"

export const REDACTED = "<redacted>"

export interface ConfigSummary {
  readonly config: NodeConfigEncoded
  readonly sources?: Readonly<Record<string, ConfigSource>>
  readonly identity?: {
    readonly nodeId: string
    readonly peerPublicKey: string
    readonly identityPublicKey: string
    readonly apiToken: typeof REDACTED
  }
}

export const summarizeConfig = (config: NodeConfig, keys?: NodeKeys, sources?: Readonly<Record<string, ConfigSource>>): ConfigSummary => ({
  config: Schema.encodeSync(NodeConfigSchema)(config),
  ...(sources === undefined ? {} : { sources }),
  ...(keys === undefined
    ? {}
    : {
        identity: {
          nodeId: keys.nodeId,
          peerPublicKey: bytesToHex(keys.peer.publicKey),
          identityPublicKey: bytesToHex(keys.identity.publicKey),
          apiToken: REDACTED,
        },
      }),
})
