// The token intrinsic's manifest (spec §1.8, §2, §11.1). One fixed instance, QUIL at
// poseidon("q_mainnet_token"); deploys of other tokens are not supported yet (D-TOKEN-2). It owns the
// transparent operations under their own prefixes (D-TOKEN-3) and the devnet faucet (D-TOKEN-5); the
// reference's confidential 0x0509 / 0x050C / 0x050F stay unclaimed for the confidential version.
import type { Manifest } from "../contract/index.ts"
import {
  DEVNET_FAUCET,
  QUIL_TOKEN_ADDRESS,
  TOKEN_ADDRESS_PREFIX,
  TOKEN_BASE_DOMAIN,
  TRANSPARENT_PENDING_TRANSACTION,
  TRANSPARENT_TRANSACTION,
} from "./constants.ts"

export const tokenManifest: Manifest = {
  name: "token",
  version: "0.1.0",
  baseDomain: TOKEN_BASE_DOMAIN,
  derivation: { _tag: "Derived", prefix: new TextEncoder().encode(TOKEN_ADDRESS_PREFIX) },
  fixedInstances: [{ label: "QUIL", address: QUIL_TOKEN_ADDRESS }],
  opTypes: [TRANSPARENT_TRANSACTION, TRANSPARENT_PENDING_TRANSACTION, DEVNET_FAUCET],
  placement: "app",
  // QUIL transfers both pay (one fee each) and fund the bundle's queue (spec §6.3); the faucet is free like a mint.
  feePolicy: [
    { opType: TRANSPARENT_TRANSACTION, role: "consumer", producesFees: true },
    { opType: TRANSPARENT_PENDING_TRANSACTION, role: "consumer", producesFees: true },
    { opType: DEVNET_FAUCET, role: "free", producesFees: false },
  ],
  // Spec §11.1 activation: non-global operations only after frame 262 340 on mainnet.
  activation: { fromFrame: 0n, mainnetFromFrame: 262_341n },
}
