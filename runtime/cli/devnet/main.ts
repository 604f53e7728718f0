// `bun run devnet --nodes <n> [--base-dir <dir>] [--shards <k>] [--workers <n>] [-- <node flags>]`: a multi-process
// devnet on loopback. Prepares n data dirs (keys, shared genesis committee), starts n nodes that
// bootstrap to each other, prints `node <i> api=<url> peer=<peer id>` per node once every API answers,
// then credits each node's wallet (`node <i> credited 1000 QUIL: Account: 0x…`, once per data dir, unless
// `--no-credit`), and stops them all on SIGINT/SIGTERM (exit 0). Exit 2 on bad arguments, 1 when a node fails to start.
import { mkdirSync } from "node:fs"
import { resolve } from "node:path"
import { Cause, Effect, Either, Exit } from "effect"
import { DEVNET_USAGE, parseDevnetArgs } from "./args.ts"
import { creditNodes, DEVNET_CREDIT_QUIL } from "./credit.ts"
import { prepareDevnetMembers } from "./genesis.ts"
import { type DevnetNode, killOnExit, launchNodes, stopNodes, waitForApi } from "./launcher.ts"

const say = (line: string): void => {
  process.stdout.write(`${line}\n`)
}
const note = (line: string): void => {
  process.stderr.write(`devnet: ${line}\n`)
}

export const runDevnet = async (argv: ReadonlyArray<string>): Promise<number> => {
  const parsed = parseDevnetArgs(argv)
  if (Either.isLeft(parsed)) {
    process.stderr.write(`error: ${parsed.left}\n${DEVNET_USAGE}\n`)
    return 2
  }
  const args = parsed.right
  const baseDir = resolve(args.baseDir)
  mkdirSync(baseDir, { recursive: true, mode: 0o700 })

  const prepared = await Effect.runPromiseExit(prepareDevnetMembers(baseDir, args.nodes))
  if (Exit.isFailure(prepared)) {
    note(`cannot prepare the nodes: ${Cause.pretty(prepared.cause).split("\n")[0] ?? ""}`)
    return 1
  }

  // A signal may arrive while the nodes start: remember it and stop right after launching.
  let stopRequested: (() => void) | undefined
  let signalled = false
  const stopSignal = new Promise<void>((resolveStop) => {
    stopRequested = resolveStop
  })
  const onSignal = () => {
    signalled = true
    stopRequested?.()
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)

  const nodes: ReadonlyArray<DevnetNode> = await launchNodes({ members: prepared.value, workers: args.workers, nodeArgs: args.nodeArgs })
  killOnExit(nodes)
  const started = await Promise.race([
    Promise.all(nodes.map((n) => waitForApi(n))).then(() => "up" as const),
    stopSignal.then(() => "signalled" as const),
  ]).catch((e: unknown) => e)
  if (started !== "up") {
    if (started !== "signalled") note(started instanceof Error ? started.message : String(started))
    await stopNodes(nodes)
    return signalled ? 0 : 1
  }
  for (const n of nodes) say(`node ${n.member.index} api=${n.api} peer=${n.member.peerId}`)
  note(`${nodes.length} nodes running under ${baseDir} (logs: <node dir>/node.log); Ctrl-C stops them`)
  if (args.credit) {
    // Not awaited before the exit watchers below: a signal during crediting still stops the devnet.
    void creditNodes(
      nodes.map((n) => ({ index: n.member.index, dataDir: n.member.dataDir })),
      (o) => {
        if (signalled) return
        if (o.outcome === "credited") say(`node ${o.index} credited ${DEVNET_CREDIT_QUIL} QUIL: ${o.detail}`)
        else if (o.outcome === "failed") note(`node ${o.index}: the devnet credit failed: ${o.detail}`)
      },
    )
  }

  // A node that dies on its own is reported; the others keep running until the devnet is stopped.
  for (const n of nodes) {
    void n.proc.exited.then((code) => {
      if (!signalled) note(`node ${n.member.index} exited with code ${code} (see ${n.logFile})`)
    })
  }
  await stopSignal
  const codes = await stopNodes(nodes)
  const unclean = codes.map((code, i) => ({ code, i })).filter(({ code }) => code !== 0)
  for (const { code, i } of unclean) note(`node ${i} stopped with code ${code}`)
  note("stopped")
  return 0
}

if (import.meta.main) {
  const code = await runDevnet(process.argv.slice(2))
  process.exit(code)
}
