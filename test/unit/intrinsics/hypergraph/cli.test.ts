// The CLI's pure parts (argument parsing, printed lines, the dry-run bundle) and the shape of the
// contribution; test/e2e/hypergraph-cli.test.ts runs the mounted commands.
import { describe, expect, test } from "bun:test"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { atomLines, deployArgs, parseKeyValues, parseOwnerKey, updateArgs } from "../../../../intrinsics/hypergraph/cli.ts"
import { encodeMessageBundle } from "../../../../intrinsics/contract/index.ts"
import { hypergraphIntrinsic } from "../../../../intrinsics/hypergraph/index.ts"
import { buildEnv } from "./fixtures/hypergraph-env.ts"

describe("hypergraph CLI", () => {
  test("key=value arguments split at the first '='", () => {
    const entries = Effect.runSync(parseKeyValues(["name=alice", "eq=a=b"]))
    expect(entries.map((e) => [new TextDecoder().decode(e.key), new TextDecoder().decode(e.value)])).toEqual([
      ["name", "alice"],
      ["eq", "a=b"],
    ])
    const bad = Effect.runSync(Effect.either(parseKeyValues(["novalue"])))
    expect(Either.isLeft(bad) && bad.left.usage).toBe(true)
  })

  test("deploy arguments: keys and exactly one schema file", () => {
    const k = "11".repeat(57)
    const ok = Effect.runSync(deployArgs([`read_public_key=${k}`, `write_public_key=0x${k}`, "schema.rdf"]))
    expect(ok.schemaPath).toBe("schema.rdf")
    expect(ok.config.ownerPublicKey.length).toBe(0)
    for (const args of [
      [`read_public_key=${k}`, "s.rdf"],
      [`read_public_key=${k}`, `write_public_key=${k}`],
      [`color=blue`, "s.rdf"],
    ]) {
      const r = Effect.runSync(Effect.either(deployArgs(args)))
      expect(Either.isLeft(r) && r.left.usage).toBe(true)
    }
  })

  test("get prints the reference's lines", () => {
    expect(atomLines({ address: "ab", type: "vertex/adds", shard: { l1: "98caea", l2: "cd" }, entries: [{ key: "6e", value: "61" }] })).toEqual([
      "Address: ab",
      "Type:    vertex/adds",
      "Shard:   L1=98caea L2=cd",
      "Entries (1):",
      "  [0] 6e = 61",
    ])
  })

  test("a dry-run bundle is a MessageBundle of one MessageRequest with the timestamp last", () => {
    const bundle = encodeMessageBundle([Uint8Array.of(0, 0, 4, 5, 9)], 1_700_000_000_000n)
    expect(Buffer.from(bundle).toString("hex")).toBe(`00000312000000010000000d000003110000000500000405090000018bcfe56800`)
    expect(() => encodeMessageBundle([], 0n)).toThrow(RangeError)
  })

  test("update arguments: a configuration, at most one schema file, at least one of them", () => {
    const k = "11".repeat(57)
    const schemaOnly = Effect.runSync(updateArgs(["schema.rdf"]))
    expect(schemaOnly).toEqual({ config: undefined, schemaPath: "schema.rdf" })
    const configOnly = Effect.runSync(updateArgs([`read_public_key=${k}`, `write_public_key=${k}`]))
    expect(configOnly.schemaPath).toBeUndefined()
    expect(configOnly.config?.writePublicKey.length).toBe(57)
    for (const args of [[], ["a.rdf", "b.rdf"], [`read_public_key=${k}`], ["color=blue", "s.rdf"]]) {
      const r = Effect.runSync(Effect.either(updateArgs(args)))
      expect(Either.isLeft(r) && r.left.usage).toBe(true)
    }
  })

  test("--owner-key takes 73 bytes of hex, or a file holding them in hex or raw", async () => {
    const secret = new Uint8Array(73).fill(5)
    const hex = Buffer.from(secret).toString("hex")
    expect(Effect.runSync(parseOwnerKey(hex))).toEqual(secret)
    expect(Effect.runSync(parseOwnerKey(`0x${hex}`))).toEqual(secret)
    const dir = mkdtempSync(join(tmpdir(), "quilbun-owner-key-"))
    writeFileSync(join(dir, "hex.key"), `${hex}\n`)
    writeFileSync(join(dir, "raw.key"), secret)
    writeFileSync(join(dir, "short.key"), "abcd")
    expect(await Effect.runPromise(parseOwnerKey(join(dir, "hex.key")))).toEqual(secret)
    expect(await Effect.runPromise(parseOwnerKey(join(dir, "raw.key")))).toEqual(secret)
    for (const bad of [join(dir, "short.key"), join(dir, "missing.key"), "abcd"]) {
      const r = await Effect.runPromise(Effect.either(parseOwnerKey(bad)))
      expect(Either.isLeft(r) && r.left.usage).toBe(true)
    }
  })

  test("the contribution offers deploy, update, put, get and remove", () => {
    const api = { get: () => Effect.succeed({}), post: () => Effect.succeed({}), submitBundle: () => Effect.void }
    const group = hypergraphIntrinsic.cli?.({ api, build: buildEnv, dataDir: "/nonexistent" })
    expect(group?.members.map((m) => ("_tag" in m && m._tag === "IntrinsicCliGroup" ? m.name : "command"))).toEqual([
      "command",
      "command",
      "put",
      "get",
      "remove",
    ])
  })
})
