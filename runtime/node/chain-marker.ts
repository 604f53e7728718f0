// `<dataDir>/chain.json`: the data dir's record that it holds a chain. Written (atomically) with the
// first committed frame and kept up to date with the head now and then, it outlives the store: when
// the store goes missing the marker is what tells a restart "this was a chain, do not start a new
// one silently" (chain-guard.ts), and what a `--reset-store` reports as thrown away.
import { existsSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { Data, Effect, Option, Schema } from "effect"
import { writeFileAtomic } from "../../config/index.ts"

const CHAIN_MARKER_FILE = "chain.json"

const Hex = Schema.String.pipe(Schema.pattern(/^[0-9a-f]*$/))
const FrameNumber = Schema.Number.pipe(Schema.int(), Schema.nonNegative())

export const ChainMarker = Schema.Struct({
  version: Schema.Literal(1),
  /** p2p network id of the chain (99 = devnet). */
  network: Schema.Number.pipe(Schema.int()),
  genesis: Schema.Struct({
    /** Selector (hex poseidon of the output) of frame 0. */
    selector: Hex,
    /** The genesis committee's BLS48-581 public keys (hex). */
    committee: Schema.Array(Hex),
  }),
  /** The first frame this data dir committed. */
  firstFrame: Schema.Struct({ frameNumber: FrameNumber, selector: Hex }),
  /** The head when the marker was last written: a lower bound of what the store held. */
  head: FrameNumber,
  updatedAt: Schema.String,
})
export type ChainMarker = typeof ChainMarker.Type

export class ChainMarkerError extends Data.TaggedError("ChainMarkerError")<{ readonly path: string; readonly reason: string }> {
  override get message(): string {
    return `chain marker ${this.path}: ${this.reason}`
  }
}

export const chainMarkerPath = (dataDir: string): string => join(dataDir, CHAIN_MARKER_FILE)

const decode = Schema.decodeUnknownEither(Schema.parseJson(ChainMarker))
const encode = Schema.encodeSync(Schema.parseJson(ChainMarker, { space: 2 }))

/** The marker, None when the data dir holds no chain yet; an unreadable marker is an error, never "no chain". */
export const readChainMarker = (dataDir: string): Effect.Effect<Option.Option<ChainMarker>, ChainMarkerError> =>
  Effect.suspend(() => {
    const path = chainMarkerPath(dataDir)
    if (!existsSync(path)) return Effect.succeed(Option.none())
    let text: string
    try {
      text = readFileSync(path, "utf8")
    } catch (e) {
      return Effect.fail(new ChainMarkerError({ path, reason: e instanceof Error ? e.message : String(e) }))
    }
    const marker = decode(text)
    return marker._tag === "Right"
      ? Effect.succeed(Option.some(marker.right))
      : Effect.fail(new ChainMarkerError({ path, reason: `unreadable (${marker.left.message.split("\n")[0] ?? ""}); restore it or remove it` }))
  })

/** Write temp, fsync, rename, fsync the directory: a reader sees the old marker or the new one. */
export const writeChainMarker = (dataDir: string, marker: ChainMarker): Effect.Effect<void, ChainMarkerError> =>
  Effect.try({
    try: () => writeFileAtomic(chainMarkerPath(dataDir), `${encode(marker)}\n`),
    catch: (e) => new ChainMarkerError({ path: chainMarkerPath(dataDir), reason: e instanceof Error ? e.message : String(e) }),
  })

export const removeChainMarker = (dataDir: string): Effect.Effect<void, ChainMarkerError> =>
  Effect.try({
    try: () => rmSync(chainMarkerPath(dataDir), { force: true }),
    catch: (e) => new ChainMarkerError({ path: chainMarkerPath(dataDir), reason: e instanceof Error ? e.message : String(e) }),
  })
