// The master's worker-manager actor as a service, for the wiring that asks it (admin API, status line).
import { Context } from "effect"
import type { WorkerManagerMessage } from "../../actors/worker-manager/index.ts"
import type { ActorRef } from "../kernel/actor/ref.ts"

export class WorkerManagerRef extends Context.Tag("quilbun/WorkerManagerRef")<WorkerManagerRef, ActorRef<WorkerManagerMessage>>() {}
