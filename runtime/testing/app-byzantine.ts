// Byzantine app-shard provers, as interceptors on a shard's in-memory network (the devnet's way for
// global proposals, devnet.ts): the consensus code carries no byzantine switches. A faulty prover's
// outgoing AppShardProposals are rewritten into frames an honest node would never sign, each with a
// solved VDF and a correctly signed vote, so only the consensus rules can refuse them:
// - `equivocate`: a second frame at the same rank (timestamp + 1); the first honest peer gets both,
//   the last only the second, the others the first;
// - `bad-state-roots`: the frame claims state roots the shard does not have (D-APP-1).
import { Effect } from "effect"
import { TypePrefix } from "../../actors/consensus/core/canonical/type-prefix.ts"
import { AppFrameHeader } from "../../actors/consensus/core/messages/app-frame-header.ts"
import { AppShardFrame } from "../../actors/consensus/core/messages/app-shard-frame.ts"
import { ProposalVote } from "../../actors/consensus/core/messages/proposal-vote.ts"
import { AppShardProposal, decodeAppShardProposal, encodeAppShardProposal } from "../../actors/consensus/core/messages/proposals.ts"
import { BLS48581AddressedSignature, BLS48581AggregateSignature } from "../../actors/consensus/core/messages/signatures.ts"
import { makeVoteMessage, voteDomain } from "../../actors/consensus/core/signed-messages.ts"
import { appChallenge } from "../../actors/consensus/core/vdf-challenge.ts"
import type { FrameVdfService, PoseidonHash, ProverSignerService } from "../../crates/ts/services.ts"
import type { InMemoryNetwork } from "../kernel/transport/in-memory.ts"

export type AppProposalFault = "equivocate" | "bad-state-roots"

type Interceptor = NonNullable<Parameters<InMemoryNetwork["intercept"]>[0]>

export interface ByzantineProver {
  readonly signer: ProverSignerService
  readonly vdf: FrameVdfService
}

const isAppProposal = (data: Uint8Array): boolean =>
  data.length >= 4 && new DataView(data.buffer, data.byteOffset, 4).getUint32(0, false) === TypePrefix.AppShardProposal

/**
 * The proposal for another header: VDF solved again, vote re-signed by the same prover, and the header's
 * signature block too — a published header carries the proposer's vote signature (§1.4 step 2), which
 * covers the selector; keeping the old one made every rewritten frame fail as BadSignature, so the
 * consensus rules under test (double proposal, state roots) were never reached.
 */
const reproposed = (prover: ByzantineProver, poseidon: PoseidonHash, p: AppShardProposal, unsolved: Omit<AppFrameHeader, "output">): AppShardProposal => {
  const output = Effect.runSync(prover.vdf.solve(appChallenge(unsolved), unsolved.difficulty).pipe(Effect.orDie))
  const selector = poseidon(output)
  const address = unsolved.address
  const signature = Effect.runSync(prover.signer.sign(makeVoteMessage(address, unsolved.rank, selector), voteDomain(address)))
  const header = new AppFrameHeader({
    ...unsolved,
    output,
    publicKeySignatureBls48581: new BLS48581AggregateSignature({
      signature,
      publicKey: prover.signer.publicKey,
      bitmask: unsolved.publicKeySignatureBls48581?.bitmask ?? new Uint8Array(32),
    }),
  })
  const vote = new ProposalVote({
    ...p.vote,
    selector,
    publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature, address: prover.signer.address }),
  })
  return new AppShardProposal({ ...p, state: new AppShardFrame({ header, requests: p.state.requests }), vote })
}

const rewrite = (prover: ByzantineProver, poseidon: PoseidonHash, fault: AppProposalFault, p: AppShardProposal): AppShardProposal => {
  const { output: _output, ...h } = p.state.header
  if (fault === "equivocate") return reproposed(prover, poseidon, p, { ...h, timestamp: h.timestamp + 1n })
  const roots = h.stateRoots.map((r) => r.slice())
  const first = roots[0]
  if (first !== undefined) first[0] = (first[0] ?? 0) ^ 0x01
  return reproposed(prover, poseidon, p, { ...h, stateRoots: roots })
}

/**
 * The interceptor for one shard network: `faults` (by peer id, read at each message) says who is
 * byzantine and how, `provers` holds their keys, `peers` lists the network's peer ids.
 */
export const appByzantineInterceptor = (
  faults: ReadonlyMap<string, AppProposalFault>,
  provers: (peerId: string) => ByzantineProver | undefined,
  peers: () => ReadonlyArray<string>,
  poseidon: PoseidonHash,
  /** Called once per distinct proposal rewritten (the test's evidence that the fault was exercised). */
  onRewrite: (peerId: string) => void = () => undefined,
): Interceptor => {
  const rewritten = new Map<string, Uint8Array>()
  const alternate = (from: string, fault: AppProposalFault, data: Uint8Array): Uint8Array => {
    const key = `${from}:${fault}:${Buffer.from(data).toString("base64")}`
    const cached = rewritten.get(key)
    if (cached !== undefined) return cached
    const prover = provers(from)
    const decoded = decodeAppShardProposal(data)
    if (prover === undefined || decoded._tag === "Left") return data
    const out = encodeAppShardProposal(rewrite(prover, poseidon, fault, decoded.right))
    rewritten.set(key, out)
    onRewrite(from)
    return out
  }
  return (m) => {
    const fault = faults.get(m.from)
    if (fault === undefined || !isAppProposal(m.data)) return [m.data]
    if (fault !== "equivocate") return [alternate(m.from, fault, m.data)]
    const others = peers().filter((p) => p !== m.from)
    if (m.to === others[0]) return [m.data, alternate(m.from, fault, m.data)]
    if (m.to === others[others.length - 1]) return [alternate(m.from, fault, m.data)]
    return [m.data]
  }
}
