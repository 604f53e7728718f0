// Refuses to turn a data dir that holds a chain into a new chain by accident. At boot (before the
// store is opened, so nothing is created): chain.json present but master/ or master/data.mdb missing
// or empty → ChainStoreMissing. With the store open: chain.json present but no committed frame →
// ChainStoreMissing. `--reset-store` turns both refusals into a warning naming what is discarded (the
// head recorded in chain.json) and a new chain, whose first commit rewrites the marker.
// The ChainGuard service keeps the marker current: written at the first commit, its head refreshed at
// most every HEAD_REFRESH and once more on release.
import { existsSync, statSync } from "node:fs"
import { join } from "node:path"
import { Clock, Context, Data, Effect, Layer, Option } from "effect"
import { Store, storePath } from "../store/index.ts"
import { committedChain } from "../../actors/consensus/global/committed-chain.ts"
import { committeeNotice } from "./committee-notice.ts"
import { chainMarkerPath, type ChainMarker, type ChainMarkerError, readChainMarker, removeChainMarker, writeChainMarker } from "./chain-marker.ts"

const HEAD_REFRESH_MS = 5_000

export class ChainStoreMissing extends Data.TaggedError("ChainStoreMissing")<{
  readonly dataDir: string
  readonly missing: string
  readonly head: number
}> {
  override get message(): string {
    return `data dir ${this.dataDir} holds a chain (${chainMarkerPath(this.dataDir)}, head ${this.head}) but ${this.missing}; refusing to start a new chain (restore the store, or start with --reset-store to discard it)`
  }
}

const describe = (m: ChainMarker): string => `network ${m.network}, head ${m.head} (first frame ${m.firstFrame.frameNumber})`

/** What is wrong with the master store's files, if anything, without opening it. */
const missingStoreFiles = (dataDir: string): string | undefined => {
  const dir = storePath(dataDir, "master")
  if (!existsSync(dir)) return `the store ${dir} is missing`
  const file = join(dir, "data.mdb")
  if (!existsSync(file)) return `the store file ${file} is missing`
  if (statSync(file).size === 0) return `the store file ${file} is empty`
  return undefined
}

export interface BootCheck {
  /** chain.json is present: the keys must exist too. */
  readonly hasChain: boolean
  /** Warnings to log once logging is up. */
  readonly notices: ReadonlyArray<string>
  /** `--reset-store` discarded a chain whose store files are gone (already said in `notices`). */
  readonly resetAnnounced: boolean
}

/** The pre-open check (files only); `committee` is the configured engine.genesisProvers. */
export const checkChainAtBoot = (
  dataDir: string,
  resetStore: boolean,
  committee?: ReadonlyArray<string>,
): Effect.Effect<BootCheck, ChainStoreMissing | ChainMarkerError> =>
  Effect.gen(function* () {
    const marker = yield* readChainMarker(dataDir)
    if (Option.isNone(marker)) return { hasChain: false, notices: [], resetAnnounced: false }
    const missing = missingStoreFiles(dataDir)
    const standalone = committeeNotice(dataDir, marker.value, committee)
    if (missing === undefined) return { hasChain: true, notices: standalone === undefined ? [] : [standalone], resetAnnounced: false }
    if (!resetStore) return yield* new ChainStoreMissing({ dataDir, missing, head: marker.value.head })
    return {
      hasChain: true,
      notices: [`--reset-store: ${missing}; discarding the chain recorded in chain.json (${describe(marker.value)}) and starting a new chain`],
      resetAnnounced: true,
    }
  })

/** What the marker says about the chain itself, known to the consensus layer. */
export interface ChainIdentity {
  readonly network: number
  readonly genesisSelector: string
  readonly committee: ReadonlyArray<string>
}

interface CommittedFrameRef {
  readonly frameNumber: bigint
  readonly selector: string
}

export interface ChainGuardService {
  /** Called with every batch of committed frames (in order). Never fails: a marker write error is logged. */
  readonly committed: (chain: ChainIdentity, frames: ReadonlyArray<CommittedFrameRef>) => Effect.Effect<void>
}

export class ChainGuard extends Context.Tag("quilbun/node/ChainGuard")<ChainGuard, ChainGuardService>() {}

/** The post-open check and the marker keeper. Requires the master store. */
export const ChainGuardLive = (
  dataDir: string,
  resetStore: boolean,
  resetAnnounced = false,
): Layer.Layer<ChainGuard, ChainStoreMissing | ChainMarkerError, Store> =>
  Layer.scoped(
    ChainGuard,
    Effect.gen(function* () {
      const store = yield* Store
      const chain = committedChain(store)
      const storedHead = yield* store.read(chain.headNumber).pipe(Effect.orDie)
      let marker = Option.getOrUndefined(yield* readChainMarker(dataDir))
      if (marker !== undefined && storedHead === 0n) {
        if (!resetStore) {
          return yield* new ChainStoreMissing({ dataDir, missing: `the store ${store.path} holds no committed frame`, head: marker.head })
        }
        // The boot check already said so when the store's files were missing; this is the emptied-store case.
        if (!resetAnnounced)
          yield* Effect.logWarning(
            `--reset-store: the store ${store.path} holds no committed frame; discarding the chain recorded in chain.json (${describe(marker)}) and starting a new chain`,
          )
        yield* removeChainMarker(dataDir)
        marker = undefined
      } else if (resetStore) {
        yield* Effect.logWarning(`--reset-store: the store holds the chain (head ${storedHead}); nothing to reset`)
      }
      let written = marker
      let lastWriteMs = 0
      const write = (next: ChainMarker) =>
        writeChainMarker(dataDir, next).pipe(
          Effect.zipRight(Clock.currentTimeMillis),
          Effect.tap((now) =>
            Effect.sync(() => {
              written = next
              lastWriteMs = now
            }),
          ),
          Effect.catchAll((e) => Effect.logWarning("chain marker not written", e.message)),
        )
      let pending: ChainMarker | undefined
      // The last head reached before shutdown, so a later --reset-store reports it.
      yield* Effect.addFinalizer(() => (pending === undefined ? Effect.void : write(pending)))
      const committed = (chain: ChainIdentity, frames: ReadonlyArray<CommittedFrameRef>) =>
        Effect.gen(function* () {
          const last = frames[frames.length - 1]
          const first = frames[0]
          if (last === undefined || first === undefined) return
          const now = yield* Clock.currentTimeMillis
          const updatedAt = new Date(now).toISOString()
          const next: ChainMarker =
            written === undefined
              ? {
                  version: 1,
                  network: chain.network,
                  genesis: { selector: chain.genesisSelector, committee: chain.committee },
                  firstFrame: { frameNumber: Number(first.frameNumber), selector: first.selector },
                  head: Number(last.frameNumber),
                  updatedAt,
                }
              : { ...written, head: Number(last.frameNumber), updatedAt }
          if (written === undefined || now - lastWriteMs >= HEAD_REFRESH_MS) {
            pending = undefined
            yield* write(next)
            if (marker === undefined && written !== undefined) {
              marker = written
              yield* Effect.logInfo("chain marker written").pipe(Effect.annotateLogs({ path: chainMarkerPath(dataDir), frame: next.firstFrame.frameNumber }))
            }
          } else pending = next
        })
      return { committed }
    }),
  )
