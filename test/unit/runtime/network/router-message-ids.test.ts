import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import type { Message } from "@libp2p/gossipsub"
import { bitmaskRouterMessageIds } from "../../../../runtime/network/bitmask-pubsub.ts"
import { messageId } from "../../../../runtime/network/message-id.ts"

const unsigned = (data: Uint8Array): Message => ({ type: "unsigned", topic: "t", data })

describe("bitmaskRouterMessageIds", () => {
  for (const form of ["sha256", "prefixed-sha256"] as const) {
    test(`${form}: the fast id, the id and its string all name messageId(data)`, () => {
      const ids = bitmaskRouterMessageIds(form)
      const data = new Uint8Array(1500).map((_, i) => i & 0xff)
      const expected = messageId(data, form)
      expect(ids.fastMsgIdFn({ data })).toBe(bytesToHex(expected))
      // the router hands the same bytes to msgIdFn after the signature check
      const id = ids.msgIdFn(unsigned(data))
      expect(id).toEqual(expected)
      expect(ids.msgIdToStrFn(id)).toBe(ids.fastMsgIdFn({ data }))
    })
  }

  test("msgIdFn reuses the digest of the bytes the fast id hashed, and hashes other bytes itself", () => {
    const ids = bitmaskRouterMessageIds("sha256")
    const data = new Uint8Array([1, 2, 3])
    ids.fastMsgIdFn({ data })
    expect(ids.msgIdFn(unsigned(data))).toBe(ids.msgIdFn(unsigned(data)))
    // an equal copy (e.g. an own publish) is hashed, with the same result
    const copy = data.slice()
    expect(ids.msgIdFn(unsigned(copy))).not.toBe(ids.msgIdFn(unsigned(data)))
    expect(ids.msgIdFn(unsigned(copy))).toEqual(ids.msgIdFn(unsigned(data)))
  })

  test("a message without data gets the id of empty data", () => {
    const ids = bitmaskRouterMessageIds("sha256")
    expect(ids.fastMsgIdFn({})).toBe(bytesToHex(messageId(new Uint8Array(0))))
  })
})
