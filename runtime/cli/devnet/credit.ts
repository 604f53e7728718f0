// Devnet money (issue #17 item 5): once a devnet's nodes answer, each node's wallet account is credited
// with DEVNET_CREDIT_QUIL through the token CLI's own `faucet` (the devnet faucet operation, refused on
// mainnet), so a new user can transfer within a minute of `bun run devnet`. It goes through the CLI a
// user would run, so what it proves is the user's path: wallet keys created 0600 in the node's data dir,
// a bundle submitted to that node, committed. A marker file in the data dir makes it once per node: a
// devnet restarted on its dirs keeps its chain and is not credited again.
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Either } from "effect"
import { accountOf, encodeAccount } from "../../../intrinsics/token/stealth.ts"
import { loadOrCreateKeys } from "../../../intrinsics/token/wallet/key-file.ts"

const repoRoot = join(import.meta.dir, "../../..")
const cliEntry = join(repoRoot, "runtime/cli/main.ts")

export const DEVNET_CREDIT_QUIL = "1000"
/** Written in a node's data dir once its credit committed. */
const CREDIT_MARKER = "devnet-credit.done"
/** A faucet waits for its bundle to commit; a fresh devnet's token shard may first need a few frames. */
const CREDIT_WAIT_MS = 180_000
const CREDIT_ATTEMPTS = 3
const RETRY_PAUSE_MS = 5_000

export interface CreditOutcome {
  readonly index: number
  /** `credited`: the faucet committed now; `already`: an earlier run did; `failed`: the reason in `detail`. */
  readonly outcome: "credited" | "already" | "failed"
  readonly detail: string
}

const runCli = async (dataDir: string, args: ReadonlyArray<string>): Promise<{ code: number; out: string; err: string }> => {
  const env: Record<string, string | undefined> = { ...process.env, QUILBUN_DATA_DIR: dataDir }
  // Each node's own wallet, whatever the caller's shell points at.
  delete env.QUILBUN_WALLET_DIR
  const proc = Bun.spawn({ cmd: [process.execPath, cliEntry, ...args], cwd: repoRoot, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" })
  const timer = setTimeout(() => proc.kill("SIGKILL"), CREDIT_WAIT_MS)
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  clearTimeout(timer)
  return { code, out: out.trim(), err: err.trim() }
}

/** Credits one node's wallet account unless its marker says an earlier run did. */
const creditNode = async (index: number, dataDir: string): Promise<CreditOutcome> => {
  const marker = join(dataDir, CREDIT_MARKER)
  if (existsSync(marker)) return { index, outcome: "already", detail: "credited by an earlier run" }
  let faucet = await runCli(dataDir, ["token", "faucet", DEVNET_CREDIT_QUIL])
  // A node busy starting up (its first frames, a loaded machine) may not answer in time: ask again, but
  // only while the wallet still holds nothing, so a faucet that did land is not paid twice.
  for (let attempt = 1; faucet.code !== 0 && attempt < CREDIT_ATTEMPTS; attempt++) {
    await Bun.sleep(RETRY_PAUSE_MS)
    const balance = await runCli(dataDir, ["token", "balance"])
    if (balance.code === 0 && !balance.out.startsWith("Total balance: 0.000000000000 ")) {
      faucet = balance
      break
    }
    faucet = await runCli(dataDir, ["token", "faucet", DEVNET_CREDIT_QUIL])
  }
  if (faucet.code !== 0) return { index, outcome: "failed", detail: faucet.err.split("\n").at(-1) || `token faucet exited ${faucet.code}` }
  writeFileSync(marker, `${faucet.out}\n`, { mode: 0o600 })
  // The faucet created the wallet's keys: the account is read from them (what `token account` prints).
  const keys = await Effect.runPromise(Effect.either(loadOrCreateKeys(join(dataDir, "wallet"))))
  const detail = Either.isRight(keys) ? `Account: 0x${bytesToHex(encodeAccount(accountOf(keys.right)))}` : faucet.out
  return { index, outcome: "credited", detail }
}

/**
 * Credits every node at once: each faucet waits for its own commit, and the four land in the same few
 * frames (one after the other, a 4-node devnet took ~95 s to credit: a commit is several frames).
 * `onOutcome` hears each as it ends.
 */
export const creditNodes = async (
  nodes: ReadonlyArray<{ readonly index: number; readonly dataDir: string }>,
  onOutcome: (outcome: CreditOutcome) => void,
): Promise<void> => {
  await Promise.all(nodes.map(async (n) => onOutcome(await creditNode(n.index, n.dataDir))))
}
