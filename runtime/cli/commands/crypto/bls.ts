// BLS48-581 (hex in, hex out, one value per line):
//   bun run cli crypto bls keygen <ikm-hex>                                  -> secret key, public key
//   bun run cli crypto bls sign <sk-hex> <domain-utf8> <msg-hex>            -> signature
//   bun run cli crypto bls verify <pk-hex> <domain-utf8> <msg-hex> <sig-hex> -> valid (0) / invalid (1)
//   bun run cli crypto bls aggregate <pk1,pk2,...> <sig1,sig2,...>          -> aggregate pk, aggregate sig
// Bad arguments print the reason and exit 2. A correctly sized key or signature that is not a
// subgroup point is reported as `invalid`.
import { Effect, Either } from "effect"
import { makeBls, type Bls } from "../../../../crates/ts/bls/bls.ts"
import type { BlsError } from "../../../../crates/ts/bls/errors.ts"
import { G1_BYTES, G2_BYTES, SECRET_KEY_BYTES } from "../../../../crates/ts/bls/native.ts"
import { EXIT_NEGATIVE, EXIT_OK, parseHexArg, println, toHex, usageError } from "../../command.ts"

const USAGE = [
  "usage: bun run cli crypto bls keygen <ikm-hex>",
  "       bun run cli crypto bls sign <sk-hex> <domain-utf8> <msg-hex>",
  "       bun run cli crypto bls verify <pk-hex> <domain-utf8> <msg-hex> <sig-hex>",
  "       bun run cli crypto bls aggregate <pk1,pk2,...> <sig1,sig2,...>"
].join("\n")

const ARITY: Readonly<Record<string, number>> = { keygen: 1, sign: 3, verify: 4, aggregate: 2 }

const withBls = <A>(body: (bls: Bls) => Effect.Effect<A, BlsError>): Either.Either<A, BlsError> =>
  Effect.runSync(Effect.either(Effect.flatMap(makeBls(), body)))

const failure = (what: string, e: BlsError): number => usageError(`${what} failed: ${e._tag}: ${e.reason}`)

/** Parses a hex argument of an exact byte length, or returns the usage error text. */
const hexOf = (value: string | undefined, what: string, size?: number): Uint8Array | string => {
  const bytes = parseHexArg(value)
  if (bytes === undefined) return `${what} must be hex: ${value ?? "(missing)"}`
  if (size !== undefined && bytes.length !== size) return `${what} must be ${size} bytes, got ${bytes.length}`
  return bytes
}

const hexList = (value: string | undefined, what: string, size: number): ReadonlyArray<Uint8Array> | string => {
  if (value === undefined || value.length === 0) return `${what} must be a comma-separated hex list`
  const out: Array<Uint8Array> = []
  for (const [i, item] of value.split(",").entries()) {
    const b = hexOf(item, `${what}[${i}]`, size)
    if (typeof b === "string") return b
    out.push(b)
  }
  return out
}

export const run = async (args: ReadonlyArray<string>): Promise<number> => {
  const [sub, ...rest] = args
  if (sub === undefined || ARITY[sub] === undefined) return usageError(sub === undefined ? "missing subcommand" : `unknown subcommand: ${sub}`, USAGE)
  if (rest.length !== ARITY[sub]) return usageError(`${sub} takes ${ARITY[sub]} argument(s), got ${rest.length}`, USAGE)
  const utf8 = (s: string | undefined): Uint8Array => new TextEncoder().encode(s ?? "")

  switch (sub) {
    case "keygen": {
      const ikm = hexOf(rest[0], "ikm")
      if (typeof ikm === "string") return usageError(ikm, USAGE)
      const r = withBls((bls) => bls.keygen(ikm))
      if (Either.isLeft(r)) return failure("keygen", r.left)
      println(toHex(r.right.secretKey))
      println(toHex(r.right.publicKey))
      return EXIT_OK
    }
    case "sign": {
      const sk = hexOf(rest[0], "secret key", SECRET_KEY_BYTES)
      if (typeof sk === "string") return usageError(sk, USAGE)
      const msg = hexOf(rest[2], "message")
      if (typeof msg === "string") return usageError(msg, USAGE)
      const r = withBls((bls) => bls.sign(sk, utf8(rest[1]), msg))
      if (Either.isLeft(r)) return failure("sign", r.left)
      println(toHex(r.right))
      return EXIT_OK
    }
    case "verify": {
      const pk = hexOf(rest[0], "public key", G2_BYTES)
      if (typeof pk === "string") return usageError(pk, USAGE)
      const msg = hexOf(rest[2], "message")
      if (typeof msg === "string") return usageError(msg, USAGE)
      const sig = hexOf(rest[3], "signature", G1_BYTES)
      if (typeof sig === "string") return usageError(sig, USAGE)
      const r = withBls((bls) => bls.verify(pk, sig, utf8(rest[1]), msg))
      if (Either.isLeft(r) && r.left._tag !== "BlsEncodingError" && r.left._tag !== "BlsSubgroupError") return failure("verify", r.left)
      const valid = Either.isRight(r) && r.right
      println(valid ? "valid" : "invalid")
      return valid ? EXIT_OK : EXIT_NEGATIVE
    }
    default: {
      const pks = hexList(rest[0], "public keys", G2_BYTES)
      if (typeof pks === "string") return usageError(pks, USAGE)
      const sigs = hexList(rest[1], "signatures", G1_BYTES)
      if (typeof sigs === "string") return usageError(sigs, USAGE)
      if (pks.length !== sigs.length) return usageError(`${pks.length} public keys but ${sigs.length} signatures`, USAGE)
      const r = withBls((bls) => bls.aggregate(pks, sigs))
      if (Either.isLeft(r)) return failure("aggregate", r.left)
      println(toHex(r.right.aggregatePublicKey))
      println(toHex(r.right.aggregateSignature))
      return EXIT_OK
    }
  }
}
