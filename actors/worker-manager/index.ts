export * from "./protocol.ts"
export { workerManagerActor, WORKER_MANAGER_NAME } from "./worker-manager.ts"
