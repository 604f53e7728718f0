// The global chain as a HotStuff chain kind (actors/consensus/core/chain-kind.ts): the empty filter,
// bitmask 0x00, GlobalFrame and GlobalProposal with their canonical codecs, global frame validation
// and production (§1.5), and the devnet/stub genesis of §1.7.
import { Effect } from "effect"
import type { ChainKind } from "../core/chain-kind.ts"
import { globalHeaderTimestamp, produceGlobalFrameHeader, stubGlobalGenesisHeader } from "../core/frame-production.ts"
import { GLOBAL_COMMITMENT_COUNT, validateGlobalFrame } from "../core/frame-validation.ts"
import { GlobalFrame } from "../core/messages/global-frame.ts"
import { GlobalFrameHeader } from "../core/messages/global-frame-header.ts"
import { encodeGlobalProposal, GlobalProposal } from "../core/messages/proposals.ts"
import { validateProposal } from "../core/proposal-validation.ts"
import { decodeSyncRequest, decodeSyncResponse, decodeWire, encodeSyncRequest, encodeSyncResponse, GLOBAL_CONSENSUS_BITMASK } from "./wire.ts"

/** Commitment and root fields the global frame carries, all zero until execution fills them (§1.8). */
const COMMITMENT_BYTES = 64
const zeroCommitment = (): Uint8Array => new Uint8Array(COMMITMENT_BYTES)

export const globalChainKind: ChainKind<GlobalFrame, GlobalProposal> = {
  name: "global",
  filter: new Uint8Array(),
  bitmask: GLOBAL_CONSENSUS_BITMASK,
  genesisFrame: ({ timestamp, difficulty }) => new GlobalFrame({ header: stubGlobalGenesisHeader({ timestamp, difficulty }), requests: [] }),
  validateProposal: (proposal, context) => validateProposal({ proposal, ...context }),
  validateFrame: (frame, activeProvers, parent) => validateGlobalFrame({ header: frame.header, activeProvers, parent: parent.header }),
  produceFrame: ({ parent, rank, nowMs, proverIndex, difficulty }) =>
    Effect.gen(function* () {
      const timestamp = globalHeaderTimestamp(nowMs)
      const produced = yield* produceGlobalFrameHeader({
        parent: parent.header,
        rank,
        timestamp,
        difficulty: difficulty(rank, timestamp),
        globalCommitments: Array.from({ length: GLOBAL_COMMITMENT_COUNT }, zeroCommitment),
        proverTreeCommitment: zeroCommitment(),
        requestsRoot: zeroCommitment(),
        proverIndex,
      })
      return {
        output: produced.output,
        frameNumber: produced.frameNumber,
        seal: (signature) => new GlobalFrame({ header: new GlobalFrameHeader({ ...produced, publicKeySignatureBls48581: signature }), requests: [] }),
      }
    }),
  makeProposal: ({ state, parentQuorumCertificate, priorRankTimeoutCertificate, vote }) =>
    new GlobalProposal({
      state,
      parentQuorumCertificate,
      ...(priorRankTimeoutCertificate === undefined ? {} : { priorRankTimeoutCertificate }),
      vote,
    }),
  withCertificateSignature: (frame, aggregate) =>
    new GlobalFrame({ header: new GlobalFrameHeader({ ...frame.header, publicKeySignatureBls48581: aggregate }), requests: frame.requests }),
  decodeMessage: decodeWire,
  encodeProposal: encodeGlobalProposal,
  encodeSyncRequest,
  decodeSyncRequest,
  encodeSyncResponse,
  decodeSyncResponse,
}
