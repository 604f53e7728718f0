// `bun run soak --minutes <n> [--nodes 4] [--seed <s>]`: a loopback devnet of real node processes under a
// seeded schedule of faults (schedule.ts) while a load generator submits writes (load.ts); then it checks
// that every acknowledged write is committed once on every node, that all nodes are on one chain, that
// no process outlives the shutdown and that memory stayed under a bound. One summary line on stdout,
// progress on stderr. Exit 0 when everything held, 1 on a finding (the seed is in the line: rerun with
// it), 2 on bad arguments, 3 when the devnet could not be brought to make progress at all.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Cause, Effect, Either, Exit, Fiber } from "effect"
import { prepareDevnetMembers } from "../devnet/genesis.ts"
import { parseSoakArgs, SOAK_USAGE, type SoakArgs } from "./args.ts"
import { makeSoakBundles } from "./bundles.ts"
import { checkChain } from "./chain.ts"
import { makeCluster } from "./cluster.ts"
import { checkCommits } from "./commits.ts"
import { SoakSetupFailed } from "./errors.ts"
import { makeTally, runFaults, runWorkerKills } from "./faults.ts"
import { makeLedger, runLoad } from "./load.ts"
import { highest, makeMemoryRecord, runMonitor, sampleOnce } from "./monitor.ts"
import { collectOrphans } from "./orphans.ts"
import { planSchedule, planWorkerKills } from "./schedule.ts"
import { passed, type SoakSummary, summaryLine } from "./summary.ts"
import { prepareSoak } from "./setup.ts"

/** After the last fault, time for every acknowledged write to commit everywhere and restarted nodes to catch up. */
const SETTLE_MS = 180_000
/** Frames fast enough for a soak on a loaded machine (the devnet e2e tests use the same). */
const NODE_ARGS = ["--set", "engine.difficulty=100"]

const startedAt = Date.now()
const note = (line: string): void => {
  process.stderr.write(`soak: [${((Date.now() - startedAt) / 1000).toFixed(0)} s] ${line}\n`)
}

const soak = (args: SoakArgs, baseDir: string) =>
  Effect.gen(function* () {
    const members = yield* Effect.mapError(
      prepareDevnetMembers(baseDir, args.nodes),
      (e) => new SoakSetupFailed({ reason: `cannot prepare the nodes: ${String(e)}` }),
    )
    const bundles = yield* Effect.mapError(makeSoakBundles(args.seed), (e) => new SoakSetupFailed({ reason: `cannot build the bundles: ${e.reason}` }))
    const cluster = makeCluster(members, args.workers, NODE_ARGS)
    const tally = makeTally()
    const ledger = makeLedger()
    const memory = makeMemoryRecord()
    const counts = { frames: 0, committed: 0, lost: 0, duplicated: 0, forks: 0, orphans: 0 }
    const shutdown = Effect.gen(function* () {
      yield* Effect.ignore(sampleOnce(cluster, memory))
      yield* cluster.stopAll
      const orphans = yield* collectOrphans(cluster.seen())
      for (const o of orphans) note(`orphan: pid ${o.pid} (${o.role}) still running after shutdown`)
      counts.orphans = orphans.length
    })

    const run = Effect.gen(function* () {
      note(`seed ${args.seed}: ${args.nodes} nodes × ${args.workers} workers under ${baseDir} (node logs: node-<i>/node.log)`)
      yield* prepareSoak(cluster, bundles)
      const schedule = planSchedule(args.seed, args.minutes * 60_000, args.nodes, args.workers)
      note(`devnet up, shard deployed; ${args.minutes} min of faults (${schedule.length} planned) and load`)
      const monitor = yield* Effect.fork(runMonitor(cluster, memory))
      const load = yield* Effect.fork(runLoad(cluster, bundles, ledger))
      const deadline = Date.now() + args.minutes * 60_000
      const workerTrack = yield* Effect.fork(
        runWorkerKills(cluster, planWorkerKills(args.seed, args.minutes * 60_000, args.nodes, args.workers), deadline, tally, note),
      )
      yield* runFaults(cluster, schedule, bytesToHex(bundles.domain), deadline, tally, note)
      yield* Fiber.join(workerTrack)
      yield* Effect.sleep(Math.max(0, deadline - Date.now()))
      yield* Fiber.interrupt(load)
      note(`faults over: ${tally.executed} injected; ${ledger.acknowledged.length}/${ledger.submitted} writes acknowledged; settling`)
      const commits = yield* checkCommits(cluster, ledger.acknowledged, bytesToHex(bundles.domain), ledger.submitted, SETTLE_MS)
      for (const l of commits.lost.slice(0, 20)) note(`lost: bundle ${l.id} (${l.statuses.join(", ")})`)
      for (const d of commits.duplicated.slice(0, 20)) note(`duplicated: ${d}`)
      const chain = yield* checkChain(cluster)
      for (const f of chain.forks.slice(0, 20)) note(`fork: ${f}`)
      yield* Fiber.interrupt(monitor)
      Object.assign(counts, {
        frames: chain.commonHead,
        committed: commits.committed,
        lost: commits.lost.length,
        duplicated: commits.duplicated.length,
        forks: chain.forks.length,
      })
    })
    const outcome = yield* Effect.exit(run.pipe(Effect.onInterrupt(() => shutdown)))
    yield* shutdown

    const findings = [...tally.findings, ...cluster.crashes()]
    for (const f of findings) note(`finding: ${f}`)
    const peak = highest(memory)
    const overMemory = peak !== undefined && peak.kib > args.maxRssMb * 1024
    note(
      peak === undefined
        ? `memory: no sample taken (bound ${args.maxRssMb} MiB per process)`
        : `memory: peak RSS ${Math.round(peak.kib / 1024)} MiB (${peak.role}, pid ${peak.pid}) over ${memory.samples} samples of ${memory.peaks.size} processes; bound ${args.maxRssMb} MiB per process${overMemory ? " EXCEEDED" : ""}`,
    )
    const summary: SoakSummary = {
      minutes: args.minutes,
      seed: args.seed,
      kills: tally.kills,
      stalls: tally.stalls,
      frames: counts.frames,
      submitted: ledger.submitted,
      committed: counts.committed,
      lost: counts.lost,
      duplicated: counts.duplicated,
      forks: counts.forks,
      orphans: counts.orphans,
    }
    const setupFailure = Exit.isFailure(outcome) ? Cause.failureOption(outcome.cause) : undefined
    if (Exit.isFailure(outcome)) note(`the soak could not run: ${Cause.pretty(outcome.cause).split("\n")[0] ?? ""}`)
    const ok = Exit.isSuccess(outcome) && passed(summary) && !overMemory && findings.length === 0
    return { summary, ok, setupFailed: setupFailure !== undefined && setupFailure._tag === "Some" }
  })

export const runSoak = async (argv: ReadonlyArray<string>): Promise<number> => {
  const parsed = parseSoakArgs(argv, () => crypto.getRandomValues(new Uint32Array(1))[0] ?? 0)
  if (Either.isLeft(parsed)) {
    process.stderr.write(`error: ${parsed.left}\n${SOAK_USAGE}\n`)
    return 2
  }
  const args = parsed.right
  const baseDir = args.baseDir === undefined ? mkdtempSync(join(tmpdir(), "quilbun-soak-")) : resolve(args.baseDir)
  mkdirSync(baseDir, { recursive: true, mode: 0o700 })

  const fiber = Effect.runFork(soak(args, baseDir))
  // Ctrl-C: stop the faults and the load, stop every node, still check for orphans and print the line.
  const onSignal = () => void Effect.runFork(Fiber.interrupt(fiber))
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  const exit = await Effect.runPromise(Fiber.await(fiber))
  if (Exit.isFailure(exit)) {
    note(`stopped: ${Cause.pretty(exit.cause).split("\n")[0] ?? ""} (seed ${args.seed})`)
    return Cause.isInterruptedOnly(exit.cause) ? 130 : 3
  }
  const { summary, ok, setupFailed } = exit.value
  process.stdout.write(`${summaryLine(summary)}\n`)
  if (!ok) note(`FAILED — replay with: bun run soak --minutes ${args.minutes} --nodes ${args.nodes} --workers ${args.workers} --seed ${args.seed}`)
  if (ok && args.baseDir === undefined) rmSync(baseDir, { recursive: true, force: true })
  else note(`data dirs and node logs kept under ${baseDir}`)
  return ok ? 0 : setupFailed ? 3 : 1
}

if (import.meta.main) {
  const code = await runSoak(process.argv.slice(2))
  process.exit(code)
}
