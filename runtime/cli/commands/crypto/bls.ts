// BLS48-581 (hex in, hex out, one value per line):
//   bun run cli crypto bls keygen <ikm-hex>                                  -> secret key, public key
//   bun run cli crypto bls sign <sk-hex> <domain-utf8> <msg-hex>            -> signature
//   bun run cli crypto bls verify <pk-hex> <domain-utf8> <msg-hex> <sig-hex> -> valid (0) / invalid (1)
//   bun run cli crypto bls aggregate <pk1,pk2,...> <sig1,sig2,...>          -> aggregate pk, aggregate sig
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { lazy } from "../../command.ts"
import { erase, group } from "../../group.ts"

const arg = (name: string, description: string) => Args.text({ name }).pipe(Args.withDescription(description))
const ikm = arg("ikm-hex", "Input key material, hex.")
const sk = arg("sk-hex", "The secret key, hex.")
const pk = arg("pk-hex", "The public key (G2), hex.")
const domain = arg("domain-utf8", "The signing domain, as text (e.g. global).")
const msg = arg("msg-hex", "The message, hex.")
const sig = arg("sig-hex", "The signature (G1), hex.")
const pks = arg("pk1,pk2,...", "Public keys, hex, comma-separated.")
const sigs = arg("sig1,sig2,...", "Signatures in the same order, hex, comma-separated.")

const impl = () => lazy(() => import("./bls-run.ts"))

const keygen = Command.make("keygen", { ikm }, (a) => Effect.flatMap(impl(), (m) => m.keygen(a.ikm))).pipe(
  Command.withDescription("Derive a key pair: prints the secret key, then the public key."),
)
const sign = Command.make("sign", { sk, domain, msg }, (a) => Effect.flatMap(impl(), (m) => m.sign(a.sk, a.domain, a.msg))).pipe(
  Command.withDescription("Sign a message in a domain: prints the signature."),
)
const verify = Command.make("verify", { pk, domain, msg, sig }, (a) => Effect.flatMap(impl(), (m) => m.verify(a.pk, a.domain, a.msg, a.sig))).pipe(
  Command.withDescription("Check a signature: prints valid (exit 0) or invalid (exit 1)."),
)
const aggregate = Command.make("aggregate", { pks, sigs }, (a) => Effect.flatMap(impl(), (m) => m.aggregate(a.pks, a.sigs))).pipe(
  Command.withDescription("Aggregate keys and signatures: prints the aggregate key, then the signature."),
)

export const blsGroup = group("bls", "BLS48-581 keys and signatures.", [erase(keygen), erase(sign), erase(verify), erase(aggregate)])
