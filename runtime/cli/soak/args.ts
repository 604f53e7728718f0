// `bun run soak` arguments: `--minutes <n>` (required; fractions allowed, e.g. 1.5), `--nodes <n>`
// (default 4), `--seed <s>` (a uint32; drawn at random and printed when absent), `--workers <n>`
// (default 1), `--base-dir <dir>` (default: a fresh temp dir, removed after a clean run) and
// `--max-rss-mb <n>` (the memory bound every sampled process must stay under).
import { Either } from "effect"

export const SOAK_USAGE = "usage: bun run soak --minutes <n> [--nodes <n>] [--seed <uint32>] [--workers <n>] [--base-dir <dir>] [--max-rss-mb <n>]"

/** 4 nodes: the smallest committee that keeps a quorum (⌊2n/3⌋+1 = 3) with one node down. */
const DEFAULT_NODES = 4
const DEFAULT_WORKERS = 1
/** A node or worker process idles at ~150–300 MiB; 1.5 GiB means a leak, not a busy moment. */
const DEFAULT_MAX_RSS_MB = 1536
const MAX_MINUTES = 7 * 24 * 60

export interface SoakArgs {
  readonly minutes: number
  readonly nodes: number
  readonly seed: number
  /** true when the seed was drawn, not given: the summary still names it so the run can be replayed */
  readonly seedDrawn: boolean
  readonly workers: number
  readonly baseDir: string | undefined
  readonly maxRssMb: number
}

const integer = (name: string, text: string | undefined, min: number, max: number): Either.Either<number, string> => {
  if (text === undefined) return Either.left(`${name} needs a value`)
  if (!/^\d+$/.test(text)) return Either.left(`${name}: expected an integer, got ${JSON.stringify(text)}`)
  const n = Number(text)
  return n >= min && n <= max ? Either.right(n) : Either.left(`${name}: expected an integer between ${min} and ${max}, got ${n}`)
}

const minutesOf = (text: string | undefined): Either.Either<number, string> => {
  if (text === undefined) return Either.left("--minutes needs a value")
  if (!/^\d+(\.\d+)?$/.test(text)) return Either.left(`--minutes: expected a number, got ${JSON.stringify(text)}`)
  const n = Number(text)
  return n > 0 && n <= MAX_MINUTES ? Either.right(n) : Either.left(`--minutes: expected a number in (0, ${MAX_MINUTES}], got ${n}`)
}

interface Draft {
  minutes: number | undefined
  nodes: number
  seed: number | undefined
  workers: number
  baseDir: string | undefined
  maxRssMb: number
}

export const parseSoakArgs = (argv: ReadonlyArray<string>, drawSeed: () => number): Either.Either<SoakArgs, string> => {
  const draft: Draft = { minutes: undefined, nodes: DEFAULT_NODES, seed: undefined, workers: DEFAULT_WORKERS, baseDir: undefined, maxRssMb: DEFAULT_MAX_RSS_MB }
  const set =
    <K extends keyof Draft>(key: K) =>
    (v: Draft[K]): void => {
      draft[key] = v
    }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ""
    const eq = arg.indexOf("=")
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined
    const value = (): string | undefined => inline ?? argv[++i]
    const parsed = ((): Either.Either<void, string> => {
      switch (name) {
        case "--minutes":
          return Either.map(minutesOf(value()), set("minutes"))
        case "--nodes":
          return Either.map(integer("--nodes", value(), 1, 16), set("nodes"))
        case "--seed":
          return Either.map(integer("--seed", value(), 0, 0xffff_ffff), set("seed"))
        case "--workers":
          return Either.map(integer("--workers", value(), 1, 8), set("workers"))
        case "--max-rss-mb":
          return Either.map(integer("--max-rss-mb", value(), 64, 1 << 20), set("maxRssMb"))
        case "--base-dir": {
          const dir = value()
          return dir === undefined || dir === "" ? Either.left("--base-dir needs a value") : Either.right(set("baseDir")(dir))
        }
        default:
          return Either.left(arg.startsWith("-") ? `unknown flag ${arg}` : `unexpected argument ${JSON.stringify(arg)}`)
      }
    })()
    if (Either.isLeft(parsed)) return Either.left(parsed.left)
  }
  const { minutes, seed } = draft
  if (minutes === undefined) return Either.left("--minutes is required")
  return Either.right({ ...draft, minutes, seed: seed ?? drawSeed(), seedDrawn: seed === undefined })
}
