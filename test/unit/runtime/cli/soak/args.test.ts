import { expect, test } from "bun:test"
import { Either } from "effect"
import { parseSoakArgs } from "../../../../../runtime/cli/soak/args.ts"

const drawn = () => 4242
const ok = (argv: ReadonlyArray<string>) => {
  const r = parseSoakArgs(argv, drawn)
  if (Either.isLeft(r)) throw new Error(r.left)
  return r.right
}
const bad = (argv: ReadonlyArray<string>): string => {
  const r = parseSoakArgs(argv, drawn)
  if (Either.isRight(r)) throw new Error("expected a usage error")
  return r.left
}

test("defaults: 4 nodes, 1 worker, a drawn seed that is reported as drawn", () => {
  expect(ok(["--minutes", "3"])).toEqual({ minutes: 3, nodes: 4, seed: 4242, seedDrawn: true, workers: 1, baseDir: undefined, maxRssMb: 1536 })
})

test("every flag, both spellings, fractional minutes, a given seed", () => {
  expect(ok(["--minutes=1.5", "--nodes", "3", "--seed=0", "--workers", "2", "--base-dir", "/tmp/s", "--max-rss-mb=900"])).toEqual({
    minutes: 1.5,
    nodes: 3,
    seed: 0,
    seedDrawn: false,
    workers: 2,
    baseDir: "/tmp/s",
    maxRssMb: 900,
  })
  expect(ok(["--minutes", "1", "--seed", "4294967295"]).seed).toBe(4294967295)
})

test("bad input is a usage error", () => {
  expect(bad([])).toBe("--minutes is required")
  expect(bad(["--minutes"])).toBe("--minutes needs a value")
  expect(bad(["--minutes", "0"])).toMatch(/^--minutes: expected a number in/)
  expect(bad(["--minutes", "-1"])).toMatch(/^--minutes: expected a number,/)
  expect(bad(["--minutes", "1", "--seed", "4294967296"])).toMatch(/^--seed: expected an integer between 0 and 4294967295/)
  expect(bad(["--minutes", "1", "--seed", "0x10"])).toMatch(/^--seed: expected an integer,/)
  expect(bad(["--minutes", "1", "--nodes", "0"])).toMatch(/^--nodes: expected an integer between 1 and 16/)
  expect(bad(["--minutes", "1", "--base-dir="])).toBe("--base-dir needs a value")
  expect(bad(["--minutes", "1", "--kill"])).toBe("unknown flag --kill")
  expect(bad(["--minutes", "1", "extra"])).toBe('unexpected argument "extra"')
})
