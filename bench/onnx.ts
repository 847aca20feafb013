// bench: a minimal protobuf writer and the ONNX model with one com.microsoft MatMulNBits node that the peer comparison feeds to ONNX Runtime Web (pure; field numbers from onnx/onnx.proto, IR version 8).

/** Protobuf wire format (protobuf.dev/programming-guides/encoding): varint keys, varint integers, length-delimited bytes. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];

  /** Base-128 varint of a non-negative integer below 2^53 (enough for every dimension and enum here). */
  static varint(value: number): Uint8Array {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint: ${value} is not a non-negative safe integer`);
    const out: number[] = [];
    let v = value;
    while (v >= 0x80) { out.push((v % 0x80) | 0x80); v = Math.floor(v / 0x80); }
    out.push(v);
    return Uint8Array.from(out);
  }

  /** Field `field` as a varint (wire type 0): int32, int64, enum. */
  int(field: number, value: number): this {
    this.parts.push(ProtoWriter.varint(field * 8), ProtoWriter.varint(value));
    return this;
  }

  /** Field `field` as length-delimited bytes (wire type 2). */
  bytes(field: number, value: Uint8Array): this {
    this.parts.push(ProtoWriter.varint(field * 8 + 2), ProtoWriter.varint(value.length), value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

// onnx.proto field numbers and enums used below.
const TENSOR_FLOAT = 1, TENSOR_UINT8 = 2, ATTRIBUTE_INT = 2;

/** AttributeProto { name = 1, i = 3, type = 20 } of an INT attribute. */
const intAttribute = (name: string, value: number) => new ProtoWriter().string(1, name).int(20, ATTRIBUTE_INT).int(3, value);

/** TensorProto { dims = 1, data_type = 2, name = 8, raw_data = 9 }: an initializer. */
function initializer(name: string, dims: readonly number[], type: number, raw: Uint8Array): ProtoWriter {
  const t = new ProtoWriter();
  for (const d of dims) t.int(1, d);
  return t.int(2, type).string(8, name).bytes(9, raw);
}

/** ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 } } } } } of an f32 tensor. */
function f32ValueInfo(name: string, dims: readonly number[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, new ProtoWriter().int(1, d));
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, new ProtoWriter().int(1, TENSOR_FLOAT).message(2, shape)));
}

/** What the MatMulNBits model holds. */
export interface MatMulNBitsSpec {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** 2, 4 or 8 (what ONNX Runtime's WebGPU kernel accepts). */
  readonly bits: number;
  /** Columns per scale (a power of two, at least 16). */
  readonly blockSize: number;
  /** B: uint8 [n, k / blockSize, blockSize · bits / 8]: codes little-endian, element 0 in the low bits of byte 0. */
  readonly codes: Uint8Array;
  /** f32 [n, k / blockSize]. */
  readonly scales: Float32Array;
}

/**
 * An ONNX model (IR 8, opsets ai.onnx 17 and com.microsoft 1) computing Y[m, n] = A[m, k] · Ŵᵀ with
 * one MatMulNBits node (onnxruntime docs/ContribOperators.md): ŵ = (q − 2^(bits−1)) · scale, the
 * default zero point when the zero_points input is absent. B and scales are initializers.
 */
export function matMulNBitsModel(spec: MatMulNBitsSpec): Uint8Array {
  const { m, n, k, bits, blockSize } = spec;
  const blocks = k / blockSize;
  if (!Number.isInteger(blocks)) throw new RangeError(`MatMulNBits: k = ${k} is not a multiple of the block size ${blockSize}.`);
  if (spec.codes.length !== n * blocks * blockSize * bits / 8) throw new RangeError(`MatMulNBits: ${spec.codes.length} code bytes for [${n}, ${blocks}, ${blockSize * bits / 8}].`);
  if (spec.scales.length !== n * blocks) throw new RangeError(`MatMulNBits: ${spec.scales.length} scales for [${n}, ${blocks}].`);
  const node = new ProtoWriter().string(1, 'A').string(1, 'B').string(1, 'scales').string(2, 'Y').string(3, 'matmul_nbits')
    .string(4, 'MatMulNBits').string(7, 'com.microsoft')
    .message(5, intAttribute('K', k)).message(5, intAttribute('N', n)).message(5, intAttribute('bits', bits)).message(5, intAttribute('block_size', blockSize));
  const scaleBytes = new Uint8Array(spec.scales.buffer, spec.scales.byteOffset, spec.scales.byteLength);
  const graph = new ProtoWriter().message(1, node).string(2, 'lowbit_bench_matmul_nbits')
    .message(5, initializer('B', [n, blocks, blockSize * bits / 8], TENSOR_UINT8, spec.codes))
    .message(5, initializer('scales', [n, blocks], TENSOR_FLOAT, scaleBytes))
    .message(11, f32ValueInfo('A', [m, k]))
    .message(12, f32ValueInfo('Y', [m, n]));
  return new ProtoWriter().int(1, 8).string(2, 'lowbit-bench').message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, 17))
    .message(8, new ProtoWriter().string(1, 'com.microsoft').int(2, 1))
    .finish();
}
