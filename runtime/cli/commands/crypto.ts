// `bun run cli crypto ...`: the node's cryptography from the command line, hex in, hex out.
import { group } from "../group.ts"
import { blsGroup } from "./crypto/bls.ts"
import { kzgGroup } from "./crypto/kzg.ts"
import { poseidonCommand } from "./crypto/poseidon.ts"
import { vdfGroup } from "./crypto/vdf.ts"

export const cryptoGroup = group("crypto", "VDF, Poseidon, BLS48-581 and KZG, hex in and hex out.", [vdfGroup, poseidonCommand, blsGroup, kzgGroup])
