import { describe, expect, test } from "bun:test"
import { networkOfAgentVersion, protocolId, quilbunAgentVersion, sliceTopic } from "../../../../runtime/network/protocol-ids.ts"

describe("protocol ids", () => {
  test("quilbun protocols and topics carry the network id", () => {
    expect(protocolId(99, "sync", "1.0.0")).toBe("/quilbun/99/sync/1.0.0")
    expect(sliceTopic(1, "0080")).toBe("/quilbun/1/bitmask/0080")
  })

  test("the identify agent string round-trips the network; other agents have none", () => {
    expect(networkOfAgentVersion(quilbunAgentVersion(99, "0.1.0"))).toBe(99)
    expect(networkOfAgentVersion(quilbunAgentVersion(0, "1.2.3-rc1"))).toBe(0)
    expect(networkOfAgentVersion("js-libp2p/3.3.11 UserAgent=bun/1.4.5")).toBeUndefined()
    expect(networkOfAgentVersion(undefined)).toBeUndefined()
  })
})
