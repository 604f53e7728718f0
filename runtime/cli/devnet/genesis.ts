// Everything the nodes of a devnet must agree on before any of them starts: each node's keys (created
// in its data dir exactly as a node's first start would, config/keys.ts), its libp2p peer id, and the
// shared genesis committee — the BLS48-581 public key every node derives from its keys/prover.key.
import { bytesToHex } from "@noble/hashes/utils.js"
import { join } from "node:path"
import { Redacted } from "effect"
import { Effect } from "effect"
import { ensureKeys } from "../../../config/index.ts"
import { makeBls } from "../../../crates/ts/bls/bls.ts"
import { peerIdOfKey } from "../../node/p2p-network.ts"

export interface DevnetMember {
  readonly index: number
  readonly dataDir: string
  readonly peerId: string
  /** hex of the BLS48-581 prover public key (585 bytes) */
  readonly proverPublicKey: string
}

const nodeDataDir = (baseDir: string, index: number): string => join(baseDir, `node-${index}`)

/** Creates (or reads back) the keys of nodes 0..n-1 under `baseDir`; idempotent, so a devnet can be restarted. */
export const prepareDevnetMembers = (baseDir: string, nodes: number) =>
  Effect.gen(function* () {
    const bls = yield* makeBls()
    return yield* Effect.forEach(
      Array.from({ length: nodes }, (_, i) => i),
      (index) =>
        Effect.gen(function* () {
          const dataDir = nodeDataDir(baseDir, index)
          const keys = yield* ensureKeys(dataDir)
          const peerId = yield* peerIdOfKey(Redacted.value(keys.peer.secretKey))
          const prover = yield* bls.keygen(Redacted.value(keys.prover.ikm))
          return { index, dataDir, peerId, proverPublicKey: bytesToHex(prover.publicKey) } satisfies DevnetMember
        }),
    )
  })
