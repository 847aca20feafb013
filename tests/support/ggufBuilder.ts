// tests (support): a small GGUF writer (spec: ggml docs/gguf.md, version 2/3, little-endian) to build model files for tests.

/** GGUF metadata value types (`gguf_type` in ggml's gguf.h), by the names the builder takes. */
const VALUE_TYPE = {
  u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12,
} as const;

type ScalarType = Exclude<keyof typeof VALUE_TYPE, 'array'>;
type Scalar = number | bigint | boolean | string;

/** One metadata value with its GGUF type (u64/i64 take a bigint, bool a boolean, string a string, the rest a number). */
export type GgufValue =
  | { readonly type: ScalarType; readonly value: Scalar }
  | { readonly type: 'array'; readonly itemType: ScalarType; readonly value: readonly Scalar[] };

/** One tensor: `dims` in GGUF order (ne[0], the innermost dimension, first), `data` its stored bytes. */
export interface GgufTensorSpec {
  readonly name: string;
  /** `ggml_type` id (F32 = 0, F16 = 1, Q4_0 = 2, Q8_0 = 8, Q4_K = 12, Q6_K = 14, BF16 = 30, ...). */
  readonly ggmlType: number;
  readonly dims: readonly number[];
  readonly data: Uint8Array;
  /** Offset written in the tensor info instead of the packed, aligned one (to build broken files). */
  readonly offset?: number;
}

export interface GgufFileSpec {
  /** Key/value metadata in file order. `general.alignment` (u32), when present, sets the alignment. */
  readonly kv?: Readonly<Record<string, GgufValue>>;
  readonly tensors?: readonly GgufTensorSpec[];
  /** Header version field; the layout written is always v2/v3 (64-bit counts and lengths). */
  readonly version?: number;
}

class Writer {
  private readonly chunks: Uint8Array[] = [];
  length = 0;
  bytes(b: Uint8Array): void { this.chunks.push(b); this.length += b.length; }
  private fixed(n: number, set: (v: DataView) => void): void {
    const b = new Uint8Array(n);
    set(new DataView(b.buffer));
    this.bytes(b);
  }
  u32(v: number): void { this.fixed(4, (d) => d.setUint32(0, v, true)); }
  u64(v: number | bigint): void { this.fixed(8, (d) => d.setBigUint64(0, BigInt(v), true)); }
  string(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.bytes(b);
  }
  pad(alignment: number): void { this.bytes(new Uint8Array((alignment - (this.length % alignment)) % alignment)); }
  scalar(type: ScalarType, v: Scalar): void {
    switch (type) {
      case 'u8': return this.fixed(1, (d) => d.setUint8(0, Number(v)));
      case 'i8': return this.fixed(1, (d) => d.setInt8(0, Number(v)));
      case 'u16': return this.fixed(2, (d) => d.setUint16(0, Number(v), true));
      case 'i16': return this.fixed(2, (d) => d.setInt16(0, Number(v), true));
      case 'u32': return this.fixed(4, (d) => d.setUint32(0, Number(v), true));
      case 'i32': return this.fixed(4, (d) => d.setInt32(0, Number(v), true));
      case 'f32': return this.fixed(4, (d) => d.setFloat32(0, Number(v), true));
      case 'bool': return this.fixed(1, (d) => d.setUint8(0, v ? 1 : 0));
      case 'string': return this.string(String(v));
      case 'u64': return this.fixed(8, (d) => d.setBigUint64(0, BigInt(v), true));
      case 'i64': return this.fixed(8, (d) => d.setBigInt64(0, BigInt(v), true));
      case 'f64': return this.fixed(8, (d) => d.setFloat64(0, Number(v), true));
    }
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) { out.set(c, at); at += c.length; }
    return out;
  }
}

/**
 * A complete GGUF file: "GGUF", version, tensor count, KV count, the KV pairs, the tensor infos,
 * padding to the alignment, then each tensor's data padded to the alignment (offsets relative to
 * the start of the data section, as llama.cpp's gguf writer lays them out).
 */
export function buildGguf({ kv = {}, tensors = [], version = 3 }: GgufFileSpec): Uint8Array {
  const alignField = kv['general.alignment'];
  const alignment = alignField ? Number(alignField.value) : 32;
  const w = new Writer();
  w.bytes(new TextEncoder().encode('GGUF'));
  w.u32(version);
  w.u64(tensors.length);
  w.u64(Object.keys(kv).length);
  for (const [key, v] of Object.entries(kv)) {
    w.string(key);
    w.u32(VALUE_TYPE[v.type]);
    if (v.type === 'array') {
      w.u32(VALUE_TYPE[v.itemType]);
      w.u64(v.value.length);
      for (const item of v.value) w.scalar(v.itemType, item);
    } else {
      w.scalar(v.type, v.value);
    }
  }
  let offset = 0;
  for (const t of tensors) {
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.ggmlType);
    w.u64(t.offset ?? offset);
    offset += Math.ceil(t.data.length / alignment) * alignment;
  }
  w.pad(alignment);
  for (const t of tensors) {
    w.bytes(t.data);
    w.pad(alignment);
  }
  return w.concat();
}
