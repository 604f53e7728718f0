// `bun run devnet` arguments: `--nodes <n>`, `--base-dir <dir>`, `--shards <k>` (app shards each node
// can cover: one data worker per shard, D-APP-8), `--workers <n>` (data workers per node, at least k;
// default k), `--no-credit` (skip crediting each node's wallet with the devnet's 1,000 QUIL, credit.ts), and
// everything after `--` passed unchanged to every node (e.g. `-- --set engine.difficulty=100`).
import { Either } from "effect"

export const DEFAULT_DEVNET_NODES = 3
export const DEFAULT_DEVNET_BASE_DIR = "./.quilbun-devnet"
/** One data worker per node: a devnet of n nodes already runs 2n processes on the machine. */
export const DEFAULT_DEVNET_WORKERS = 1
const MAX_DEVNET_NODES = 32

export const DEVNET_USAGE = "usage: bun run devnet [--nodes <n>] [--base-dir <dir>] [--shards <k>] [--workers <n>] [--no-credit] [-- <node flags>...]"

export interface DevnetArgs {
  readonly nodes: number
  readonly baseDir: string
  readonly workers: number
  /** app shards every node can cover (its data workers cover one each) */
  readonly shards: number
  /** credit each node's wallet account once its API answers (credit.ts) */
  readonly credit: boolean
  /** flags appended to every node's command line */
  readonly nodeArgs: ReadonlyArray<string>
}

const positiveInt = (name: string, text: string | undefined, max: number): Either.Either<number, string> => {
  if (text === undefined) return Either.left(`${name} needs a value`)
  if (!/^\d+$/.test(text)) return Either.left(`${name}: expected an integer, got ${JSON.stringify(text)}`)
  const n = Number(text)
  return n >= 1 && n <= max ? Either.right(n) : Either.left(`${name}: expected an integer between 1 and ${max}, got ${n}`)
}

export const parseDevnetArgs = (argv: ReadonlyArray<string>): Either.Either<DevnetArgs, string> => {
  let nodes = DEFAULT_DEVNET_NODES
  let baseDir = DEFAULT_DEVNET_BASE_DIR
  let workers: number | undefined
  let shards = 1
  let credit = true
  const done = (nodeArgs: ReadonlyArray<string>): Either.Either<DevnetArgs, string> => {
    if (workers !== undefined && workers < shards)
      return Either.left(`--workers ${workers} is fewer than --shards ${shards}: each shard needs its own data worker`)
    return Either.right({ nodes, baseDir, workers: workers ?? Math.max(DEFAULT_DEVNET_WORKERS, shards), shards, credit, nodeArgs })
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ""
    if (arg === "--") return done(argv.slice(i + 1))
    const eq = arg.indexOf("=")
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined
    const value = (): string | undefined => inline ?? argv[++i]
    switch (name) {
      case "--nodes": {
        const n = positiveInt("--nodes", value(), MAX_DEVNET_NODES)
        if (Either.isLeft(n)) return Either.left(n.left)
        nodes = n.right
        break
      }
      case "--workers": {
        const n = positiveInt("--workers", value(), 64)
        if (Either.isLeft(n)) return Either.left(n.left)
        workers = n.right
        break
      }
      case "--shards": {
        const n = positiveInt("--shards", value(), 64)
        if (Either.isLeft(n)) return Either.left(n.left)
        shards = n.right
        break
      }
      case "--no-credit":
        if (inline !== undefined) return Either.left("--no-credit takes no value")
        credit = false
        break
      case "--base-dir": {
        const dir = value()
        if (dir === undefined || dir === "") return Either.left("--base-dir needs a value")
        baseDir = dir
        break
      }
      default:
        return Either.left(arg.startsWith("-") ? `unknown flag ${arg}` : `unexpected argument ${JSON.stringify(arg)}`)
    }
  }
  return done([])
}
