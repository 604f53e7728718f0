import { describe, expect, test } from "bun:test"
import { decideDuplicate, type Initiator } from "../../../../runtime/network/connection-dedupe.ts"

const SMALL = "12D3KooWAAAA"
const LARGE = "12D3KooWZZZZ"

describe("decideDuplicate", () => {
  test("the first connection to a peer is admitted", () => {
    expect(decideDuplicate(SMALL, LARGE, undefined, "self")).toBe("admit")
    expect(decideDuplicate(LARGE, SMALL, undefined, "remote")).toBe("admit")
  })

  test("both ends of a simultaneous dial keep the connection the smaller id initiated", () => {
    // Connection X is initiated by SMALL, Y by LARGE. Whatever order each side sees them in, each
    // side must end up keeping X.
    const keeps = (self: string, remote: string, first: Initiator, second: Initiator): Initiator => {
      const decision = decideDuplicate(self, remote, first, second)
      return decision === "deny-new" ? first : second
    }
    // on SMALL's side X is "self", Y is "remote"; on LARGE's side the reverse
    for (const [first, second] of [
      ["self", "remote"],
      ["remote", "self"],
    ] as const) {
      expect(keeps(SMALL, LARGE, first, second)).toBe("self")
      expect(keeps(LARGE, SMALL, first, second)).toBe("remote")
    }
  })

  test("a repeated dial by the same side keeps the older connection", () => {
    expect(decideDuplicate(SMALL, LARGE, "self", "self")).toBe("deny-new")
    expect(decideDuplicate(SMALL, LARGE, "remote", "remote")).toBe("deny-new")
    expect(decideDuplicate(LARGE, SMALL, "self", "self")).toBe("deny-new")
  })

  test("the non-preferred existing connection is replaced by the preferred newcomer", () => {
    expect(decideDuplicate(SMALL, LARGE, "remote", "self")).toBe("replace-existing")
    expect(decideDuplicate(LARGE, SMALL, "self", "remote")).toBe("replace-existing")
  })
})
