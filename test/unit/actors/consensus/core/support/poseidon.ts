/** Tests use the project's Poseidon (crates/ts/poseidon.ts), checked against the vectors in poseidon.test.ts. */
export { poseidonHashBytes as testPoseidonHashBytes } from "../../../../../../crates/ts/poseidon.ts"
