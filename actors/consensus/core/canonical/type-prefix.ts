/**
 * u32 big-endian type prefixes that open every canonical message (consensus.md §0, reference
 * `protobufs/canonical_types.go`). Values are carried over exactly; they are part of every signed and
 * hashed byte string, so they must never change.
 */
export const TypePrefix = {
  PeerInfo: 0x0101,
  BLS48581G2PublicKey: 0x0117,
  BLS48581Signature: 0x0119,
  BLS48581SignatureWithProofOfPossession: 0x011a,
  BLS48581AddressedSignature: 0x011b,
  BLS48581AggregateSignature: 0x011c,
  KeyRegistry: 0x0123,
  LegacyProverRequest: 0x0300,
  ProverJoin: 0x0301,
  ProverLeave: 0x0302,
  ProverPause: 0x0303,
  ProverResume: 0x0304,
  ProverConfirm: 0x0305,
  ProverReject: 0x0306,
  ProverKick: 0x0307,
  ProverUpdate: 0x0308,
  GlobalFrameHeader: 0x0309,
  FrameHeader: 0x030a,
  ProverLivenessCheck: 0x030b,
  ProposalVote: 0x030c,
  QuorumCertificate: 0x030d,
  GlobalFrame: 0x030e,
  AppShardFrame: 0x030f,
  SeniorityMerge: 0x0310,
  MessageRequest: 0x0311,
  MessageBundle: 0x0312,
  GlobalProposal: 0x0317,
  AppShardProposal: 0x0318,
  AltShardUpdate: 0x0319,
  ProverSeniorityMerge: 0x031a,
  TimeoutState: 0x031c,
  TimeoutCertificate: 0x031d,
  ShardSplit: 0x031e,
  ShardMerge: 0x031f,
  GlobalAlert: 0x0911,
} as const

export type TypePrefixName = keyof typeof TypePrefix
