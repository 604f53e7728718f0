import { describe, expect, test } from "bun:test"
import { mergeTrees } from "../../../../runtime/node/admin-backend.ts"
import type { ActorSnapshot } from "../../../../runtime/kernel/actor/snapshot.ts"

const node = (path: string, type: "actor" | "supervisor", children: ReadonlyArray<ActorSnapshot> = []): ActorSnapshot => ({
  path,
  name: path.split("/").pop() ?? "",
  type,
  kind: "permanent",
  status: "running",
  mailbox: type === "actor" ? { depth: 0, capacity: 8 } : null,
  processed: 0,
  failed: 0,
  restarts: 0,
  deadLetters: 0,
  lastFailure: null,
  children,
})

describe("merged actor tree", () => {
  test("worker trees hang under the worker-manager actor as process nodes", () => {
    const master = node("/root", "supervisor", [node("/root/probe", "actor"), node("/root/worker-manager", "actor")])
    const merged = mergeTrees(master, [
      { core: 1, pid: 11, state: "running", restarts: 0, tree: node("/worker-1", "supervisor", [node("/worker-1/probe", "actor")]), error: null },
      { core: 2, pid: null, state: "restarting", restarts: 3, tree: null, error: "restarting" },
    ])
    const manager = merged.children.find((c) => c.name === "worker-manager")
    expect(manager?.children.map((c) => [c.name, c.type, c.state])).toEqual([
      ["worker-1", "process", "running"],
      ["worker-2", "process", "restarting"],
    ])
    expect(manager?.children[0]?.children[0]?.path).toBe("/worker-1")
    expect(manager?.children[1]?.children).toEqual([])
    // The rest of the master tree is untouched.
    expect(merged.children.find((c) => c.name === "probe")?.children).toEqual([])
  })
})
