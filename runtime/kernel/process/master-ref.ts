// From inside a data worker: a location-transparent ref to an actor the master exports (see
// WorkerPoolService.serveActors). The same remote-ref machinery as master → worker, over the
// worker's end of the link.
import type { Message, Protocol } from "../actor/protocol.ts"
import type { ActorRef } from "../actor/ref.ts"
import { makeRemoteRef } from "./remote-ref.ts"
import type { RpcPeer } from "./rpc.ts"

/** Core 0 is the master in errors and logs. */
export const makeMasterRef = <M extends Message>(link: RpcPeer, path: string, protocol: Protocol<M>): ActorRef<M> =>
  makeRemoteRef({ core: 0, call: link.call, livePeer: () => link }, path, protocol)
