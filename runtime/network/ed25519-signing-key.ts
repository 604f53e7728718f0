// The node's Ed25519 identity key as libp2p sees it, with the node:crypto key object built once.
//
// @libp2p/crypto's Ed25519PrivateKey.sign rebuilds a node:crypto KeyObject from a JWK (two base64url
// encodings plus key parsing, ~16 µs) on every call, and gossipsub signs every published message
// (StrictSign). libp2p accepts any object with the PrivateKey shape as `privateKey`, so this one keeps
// the library key for everything else (raw bytes, public key, equality, protobuf encoding by type) and
// only signs through a cached KeyObject. Ed25519 signatures are deterministic (RFC 8032), so the bytes
// are the same as the library's — tested against it.
//
// Large inputs (Ed25519 hashes the whole message twice with SHA-512: ~260 µs for 64 KiB) are signed
// on the libuv thread pool instead of the event loop, which also runs the router, Noise and every
// actor. Signatures still resolve in call order: one that finishes early waits for those requested
// before it, so concurrent publishes leave in the order they were made.
import { createPrivateKey, type KeyObject, sign as signWith } from "node:crypto"
import type { AbortOptions, Ed25519PrivateKey, Ed25519PublicKey } from "@libp2p/interface"

const SEED_BYTES = 32

/** Inputs at least this large are signed off the event loop (the thread pool's hop costs ~15 µs). */
const DEFAULT_OFFLOAD_MIN_BYTES = 16 * 1024

type SignInput = Parameters<Ed25519PrivateKey["sign"]>[0]

export class CachedEd25519PrivateKey implements Ed25519PrivateKey {
  readonly type = "Ed25519"
  private readonly keyObject: KeyObject
  /** the last signature handed out as a promise, until it settles */
  private tail: Promise<unknown> | undefined
  private pending = 0

  constructor(
    private readonly key: Ed25519PrivateKey,
    private readonly offloadMinBytes: number = DEFAULT_OFFLOAD_MIN_BYTES,
  ) {
    this.keyObject = createPrivateKey({
      format: "jwk",
      key: {
        kty: "OKP",
        crv: "Ed25519",
        d: Buffer.from(key.raw.subarray(0, SEED_BYTES)).toString("base64url"),
        x: Buffer.from(key.publicKey.raw).toString("base64url"),
      },
    })
  }

  get raw(): Uint8Array {
    return this.key.raw
  }

  get publicKey(): Ed25519PublicKey {
    return this.key.publicKey
  }

  equals(other?: unknown): boolean {
    return this.key.equals(other)
  }

  sign(data: SignInput, options?: AbortOptions): Uint8Array | Promise<Uint8Array> {
    options?.signal?.throwIfAborted()
    const bytes = data instanceof Uint8Array ? data : data.subarray()
    if (bytes.length < this.offloadMinBytes) {
      const signature = new Uint8Array(signWith(null, bytes, this.keyObject))
      // behind an offloaded signature still in flight: wait for it, to keep the call order
      return this.tail === undefined ? signature : this.inOrder(Promise.resolve(signature))
    }
    return this.inOrder(
      new Promise<Uint8Array>((resolve, reject) => {
        signWith(null, bytes, this.keyObject, (error, signature) => {
          if (error === null) resolve(new Uint8Array(signature))
          else reject(error)
        })
      }),
    )
  }

  /** Resolves with `own`'s outcome, but not before every signature requested earlier has settled. */
  private inOrder(own: Promise<Uint8Array>): Promise<Uint8Array> {
    // handled here so a failure is not reported as unhandled while earlier signatures are pending;
    // the caller still gets it through `result`
    own.catch(() => undefined)
    const before = this.tail ?? Promise.resolve()
    const result = before.then(
      () => own,
      () => own,
    )
    const settled = result.then(
      () => undefined,
      () => undefined,
    )
    this.pending++
    this.tail = settled
    void settled.then(() => {
      if (--this.pending === 0) this.tail = undefined
    })
    return result
  }
}
