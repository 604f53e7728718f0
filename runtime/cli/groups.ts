// The registration point for command groups: `bun run cli <group> ...` offers exactly these.
// An intrinsic adds its group here (one import, one entry); main.ts and app.ts stay as they are.
import type { Intrinsic } from "../../intrinsics/contract/index.ts"
import { builtInIntrinsics } from "../node/intrinsics.ts"
import { cryptoGroup } from "./commands/crypto.ts"
import { nodeGroup } from "./commands/node.ts"
import { proverGroup } from "./commands/prover.ts"
import type { CliGroup } from "./group.ts"
import { cliEnvFor } from "./intrinsic-env.ts"
import { intrinsicGroup } from "./intrinsic-group.ts"

// Intrinsics contribute through the contract (intrinsics/contract cli.ts); the adapter names the group after the manifest.
const groupsOf = (intrinsics: ReadonlyArray<Intrinsic>) => intrinsics.flatMap((i) => intrinsicGroup(i, cliEnvFor(i.manifest.name)) ?? [])

/** The built-in groups, then one per plugin (the configured plugins, loaded by main.ts). */
export const cliGroupsWith = (plugins: ReadonlyArray<Intrinsic>): readonly [CliGroup, ...Array<CliGroup>] => [
  nodeGroup,
  proverGroup,
  cryptoGroup,
  ...groupsOf(builtInIntrinsics),
  ...groupsOf(plugins),
]
