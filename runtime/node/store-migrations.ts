// The store format steps the node carries (runtime/store STORE_FORMAT_VERSION): every store of a data
// dir (master and workers) opens with them, so an operator who upgrades keeps their data.
import type { StoreMigration } from "../store/index.ts"
import { committedFrameBodies } from "../../actors/consensus/global/committed-chain.ts"
import { dropBodiesHeldBy, globalReelKindWith } from "../../actors/time-reel/index.ts"

export const storeMigrations: ReadonlyArray<StoreMigration> = [
  {
    // Format 1 kept each committed global frame twice: consensus_state (frame ‖ QC) and the time
    // reel's clock_frames_global. The reel now keeps only ids for frames the consensus holds.
    from: 1,
    run: (store, tx) => {
      const [dropped, kept] = dropBodiesHeldBy(store, tx, globalReelKindWith({}), committedFrameBodies(store))
      return `the committed global chain is stored once: ${dropped} frame bodies dropped from clock_frames_global (kept in consensus_state), ${kept} kept (not in the committed chain)`
    },
  },
]
