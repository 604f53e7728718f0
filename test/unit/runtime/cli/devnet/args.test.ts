import { expect, test } from "bun:test"
import { Either } from "effect"
import { DEFAULT_DEVNET_BASE_DIR, DEFAULT_DEVNET_NODES, DEFAULT_DEVNET_WORKERS, parseDevnetArgs } from "../../../../../runtime/cli/devnet/args.ts"

const ok = (argv: ReadonlyArray<string>) => {
  const r = parseDevnetArgs(argv)
  if (Either.isLeft(r)) throw new Error(r.left)
  return r.right
}
const bad = (argv: ReadonlyArray<string>): string => {
  const r = parseDevnetArgs(argv)
  if (Either.isRight(r)) throw new Error("expected a usage error")
  return r.left
}

test("defaults, both flag spellings, and pass-through after --", () => {
  expect(ok([])).toEqual({
    nodes: DEFAULT_DEVNET_NODES,
    baseDir: DEFAULT_DEVNET_BASE_DIR,
    workers: DEFAULT_DEVNET_WORKERS,
    shards: 1,
    credit: true,
    nodeArgs: [],
  })
  expect(ok(["--nodes", "4", "--base-dir=/tmp/x", "--workers=2", "--", "--set", "engine.difficulty=100", "--nodes"])).toEqual({
    nodes: 4,
    baseDir: "/tmp/x",
    workers: 2,
    shards: 1,
    credit: true,
    nodeArgs: ["--set", "engine.difficulty=100", "--nodes"],
  })
})

test("--shards k gives every node k data workers unless --workers asks for more; fewer is refused", () => {
  expect(ok(["--shards", "2"])).toMatchObject({ shards: 2, workers: 2 })
  expect(ok(["--shards=2", "--workers", "3"])).toMatchObject({ shards: 2, workers: 3 })
  expect(bad(["--shards", "3", "--workers", "2"])).toContain("fewer than --shards 3")
  expect(bad(["--shards", "0"])).toContain("between 1 and")
})

test("--no-credit turns off the wallet credit; it takes no value", () => {
  expect(ok(["--no-credit"])).toMatchObject({ credit: false })
  expect(ok(["--", "--no-credit"])).toMatchObject({ credit: true, nodeArgs: ["--no-credit"] })
  expect(bad(["--no-credit=yes"])).toBe("--no-credit takes no value")
})

test("bad arguments name the problem", () => {
  expect(bad(["--nodes", "0"])).toContain("between 1 and")
  expect(bad(["--nodes", "three"])).toContain("expected an integer")
  expect(bad(["--nodes"])).toBe("--nodes needs a value")
  expect(bad(["--base-dir="])).toBe("--base-dir needs a value")
  expect(bad(["--frobnicate"])).toBe("unknown flag --frobnicate")
  expect(bad(["stray"])).toContain("unexpected argument")
})
