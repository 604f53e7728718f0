// Big-endian byte assembly shared by the tree, node-record and traversal-proof encodings.

export class ByteWriter {
  private readonly parts: Array<Uint8Array> = []
  private total = 0

  push(b: Uint8Array): void {
    this.parts.push(b)
    this.total += b.length
  }
  private fixed(n: number, set: (v: DataView) => void): void {
    const b = new Uint8Array(n)
    set(new DataView(b.buffer))
    this.push(b)
  }
  u8(v: number): void {
    this.push(new Uint8Array([v]))
  }
  u32(v: number): void {
    this.fixed(4, (d) => d.setUint32(0, v))
  }
  i32(v: number): void {
    this.fixed(4, (d) => d.setInt32(0, v))
  }
  u64(v: bigint): void {
    this.fixed(8, (d) => d.setBigUint64(0, v))
  }
  i64(v: bigint): void {
    this.fixed(8, (d) => d.setBigInt64(0, v))
  }
  /** u64 BE length ‖ bytes (the tree encoding's `bytes(x)`). */
  bytes64(x: Uint8Array): void {
    this.u64(BigInt(x.length))
    this.push(x)
  }
  /** u32 BE length ‖ bytes (the traversal-proof encoding). */
  bytes32(x: Uint8Array): void {
    this.u32(x.length)
    this.push(x)
  }
  done(): Uint8Array {
    const out = new Uint8Array(this.total)
    let off = 0
    for (const p of this.parts) {
      out.set(p, off)
      off += p.length
    }
    return out
  }
}
