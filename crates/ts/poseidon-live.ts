import { Layer } from "effect"
import { poseidonHashBytes } from "./poseidon.ts"
import { Poseidon } from "./services.ts"

/** The project's iden3 Poseidon `HashBytes` (crates/ts/poseidon.ts) as the consensus `Poseidon` service. */
export const PoseidonLive = Layer.succeed(Poseidon, poseidonHashBytes)
