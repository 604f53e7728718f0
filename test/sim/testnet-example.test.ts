// The README's testnet example ("Embedding a node in your tests"), run as it is printed there: a plugin
// author's end-to-end test of kv SET / GET / expiry on 4 nodes with one crashed.
// test/unit/runtime/testing/testnet-readme.test.ts keeps the README's copy equal to this test and its body under 20 lines.
import { expect, test } from "bun:test"
import { Testnet } from "quilbun/testing"
import kv from "../../plugins/kv/index.ts" // your plugin: the object the node loads

test("kv SET, GET and expiry on a 4-node testnet with one node crashed", async () => {
  await using net = await Testnet.start({ nodes: 4, shards: 2, plugins: [kv] })
  await net.crash(3)
  await net.submit(kv, "set", { key: "greeting", value: "hello" }, { node: 0 })
  expect(await net.query(kv, "get", { key: "greeting" }, { node: 1 })).toEqual({ value: "hello" })
  await net.submit(kv, "set", { key: "session", value: "s1", n: 5n }, { node: 2 }) // --ex 5 frames
  expect(await net.query(kv, "get", { key: "session" }, { node: 0 })).toEqual({ value: "s1" })
  await net.advance(5)
  for (const node of [0, 1, 2]) expect(await net.query(kv, "get", { key: "session" }, { node })).toEqual({ value: null })
  expect(await net.query(kv, "get", { key: "greeting" }, { node: 2 })).toEqual({ value: "hello" })
  await expect(net.submit(kv, "set", { key: "k", value: "v" }, { node: 3 })).rejects.toMatchObject({ _tag: "NodeNotRunning" })
}, 120_000)
