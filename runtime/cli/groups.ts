// The registration point for command groups: `bun run cli <group> ...` offers exactly these.
// An intrinsic adds its group here (one import, one entry); main.ts and app.ts stay as they are.
import { cryptoGroup } from "./commands/crypto.ts"
import { nodeGroup } from "./commands/node.ts"
import type { CliGroup } from "./group.ts"

export const cliGroups: readonly [CliGroup, ...Array<CliGroup>] = [nodeGroup, cryptoGroup]
