// tests: the benchmark's protobuf writer and the one-node MatMulNBits ONNX model (bench/onnx.ts), decoded by an independent minimal protobuf reader written from the wire-format spec.
import { describe, expect, it } from 'vitest';
import { matMulNBitsModel, ProtoWriter } from '../../bench/onnx';

/** A decoded field: varint (wire type 0) or bytes (wire type 2). */
type Field = { field: number; varint?: number; bytes?: Uint8Array };

/** Reads a message's fields (protobuf.dev/programming-guides/encoding: key = field · 8 + wire type; varints little-endian base 128). */
function decode(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let at = 0;
  const varint = () => {
    let value = 0, scale = 1, byte: number;
    do {
      byte = buf[at++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return value;
  };
  while (at < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8), wire = key % 8;
    if (wire === 0) out.push({ field, varint: varint() });
    else if (wire === 2) {
      const length = varint();
      out.push({ field, bytes: buf.subarray(at, at + length) });
      at += length;
    } else throw new Error(`wire type ${wire} is not used by the writer`);
  }
  if (at !== buf.length) throw new Error('message overran its buffer');
  return out;
}

const all = (fields: Field[], n: number) => fields.filter((f) => f.field === n);
const one = (fields: Field[], n: number) => {
  const found = all(fields, n);
  expect(found, `field ${n}`).toHaveLength(1);
  return found[0];
};
const text = (f: Field) => new TextDecoder().decode(f.bytes);
const sub = (f: Field) => decode(f.bytes as Uint8Array);

describe('ProtoWriter', () => {
  it('writes base-128 varints, low group first (protobuf encoding examples: 1, 150, 300)', () => {
    expect([...ProtoWriter.varint(0)]).toEqual([0]);
    expect([...ProtoWriter.varint(1)]).toEqual([1]);
    expect([...ProtoWriter.varint(150)]).toEqual([0x96, 0x01]);
    expect([...ProtoWriter.varint(300)]).toEqual([0xac, 0x02]);
    expect([...ProtoWriter.varint(127)]).toEqual([0x7f]);
    expect([...ProtoWriter.varint(128)]).toEqual([0x80, 0x01]);
    expect([...ProtoWriter.varint(2 ** 35)]).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    // 2^53 − 1: 53 one bits = seven full groups of 7 and a last group of 4 (0x0f).
    expect([...ProtoWriter.varint(Number.MAX_SAFE_INTEGER)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
  });
  it('refuses negative, fractional and unsafe integers', () => {
    expect(() => ProtoWriter.varint(-1)).toThrow(/not a non-negative safe integer/);
    expect(() => ProtoWriter.varint(1.5)).toThrow(RangeError);
    expect(() => ProtoWriter.varint(2 ** 53)).toThrow(RangeError);
    expect(() => ProtoWriter.varint(NaN)).toThrow(RangeError);
    expect(() => new ProtoWriter().int(1, -5)).toThrow(/-5 is not a non-negative safe integer/);
  });
  it('writes keys with the wire type and length-delimited strings and messages', () => {
    const bytes = new ProtoWriter().int(1, 150).string(2, 'testing').message(3, new ProtoWriter().int(1, 1)).finish();
    // The spec's examples: field 1 = 150 is 08 96 01; field 2 = "testing" is 12 07 74 65 73 74 69 6e 67.
    expect([...bytes.subarray(0, 3)]).toEqual([0x08, 0x96, 0x01]);
    expect([...bytes.subarray(3, 12)]).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    expect([...bytes.subarray(12)]).toEqual([0x1a, 0x02, 0x08, 0x01]);
  });
});

describe('matMulNBitsModel', () => {
  const m = 3, n = 5, k = 64, bits = 4, blockSize = 32;
  const codes = Uint8Array.from({ length: n * (k / blockSize) * (blockSize * bits / 8) }, (_, i) => (i * 37 + 11) & 255);
  const scales = Float32Array.from({ length: n * (k / blockSize) }, (_, i) => 0.01 + i / 1000);
  const model = decode(matMulNBitsModel({ m, n, k, bits, blockSize, codes, scales }));

  it('is an IR 8 model importing ai.onnx 17 and com.microsoft 1 (onnx.proto: ModelProto ir_version = 1, opset_import = 8)', () => {
    expect(one(model, 1).varint).toBe(8);
    const opsets = all(model, 8).map(sub).map((o) => [text(one(o, 1)), one(o, 2).varint]);
    expect(opsets).toEqual([['', 17], ['com.microsoft', 1]]);
  });

  const graph = sub(one(model, 7));
  it('has one MatMulNBits node of com.microsoft with inputs A, B, scales, output Y and the K, N, bits, block_size attributes', () => {
    const node = sub(one(graph, 1));
    expect(all(node, 1).map(text)).toEqual(['A', 'B', 'scales']);
    expect(all(node, 2).map(text)).toEqual(['Y']);
    expect(text(one(node, 4))).toBe('MatMulNBits');
    expect(text(one(node, 7))).toBe('com.microsoft');
    const attributes = Object.fromEntries(all(node, 5).map(sub).map((a) => {
      expect(one(a, 20).varint).toBe(2); // AttributeProto.INT
      return [text(one(a, 1)), one(a, 3).varint];
    }));
    expect(attributes).toEqual({ K: k, N: n, bits, block_size: blockSize });
  });

  it('holds B as uint8 [n, k/block, block·bits/8] and scales as float [n, k/block] initializers with the given bytes', () => {
    const inits = Object.fromEntries(all(graph, 5).map(sub).map((t) => [text(one(t, 8)), t]));
    expect(Object.keys(inits)).toEqual(['B', 'scales']);
    expect(all(inits.B, 1).map((d) => d.varint)).toEqual([n, k / blockSize, blockSize * bits / 8]);
    expect(one(inits.B, 2).varint).toBe(2); // TensorProto.UINT8
    expect([...(one(inits.B, 9).bytes as Uint8Array)]).toEqual([...codes]);
    expect(all(inits.scales, 1).map((d) => d.varint)).toEqual([n, k / blockSize]);
    expect(one(inits.scales, 2).varint).toBe(1); // TensorProto.FLOAT
    const raw = one(inits.scales, 9).bytes as Uint8Array;
    expect([...new Float32Array(raw.slice().buffer)]).toEqual([...scales]);
  });

  it('declares input A [m, k] and output Y [m, n] as float tensors', () => {
    const shapeOf = (info: Field[]) => {
      const tensor = sub(one(sub(one(info, 2)), 1));
      expect(one(tensor, 1).varint).toBe(1);
      return all(sub(one(tensor, 2)), 1).map((d) => one(sub(d), 1).varint);
    };
    const input = sub(one(graph, 11)), output = sub(one(graph, 12));
    expect(text(one(input, 1))).toBe('A');
    expect(shapeOf(input)).toEqual([m, k]);
    expect(text(one(output, 1))).toBe('Y');
    expect(shapeOf(output)).toEqual([m, n]);
  });

  it('writes only the viewed bytes of codes and scales that are views into larger buffers', () => {
    const bigCodes = new Uint8Array(codes.length + 8), bigScales = new Float32Array(scales.length + 3);
    bigCodes.set(codes, 5); bigScales.set(scales, 2);
    const viewed = decode(matMulNBitsModel({ m, n, k, bits, blockSize, codes: bigCodes.subarray(5, 5 + codes.length), scales: bigScales.subarray(2, 2 + scales.length) }));
    const inits = Object.fromEntries(all(sub(one(viewed, 7)), 5).map(sub).map((t) => [text(one(t, 8)), one(t, 9).bytes as Uint8Array]));
    expect([...inits.B]).toEqual([...codes]);
    expect([...new Float32Array(inits.scales.slice().buffer)]).toEqual([...scales]);
  });

  it('refuses a k that is not a multiple of the block and code or scale arrays of the wrong length', () => {
    expect(() => matMulNBitsModel({ m, n, k: 48, bits, blockSize, codes, scales })).toThrow(/not a multiple of the block size/);
    expect(() => matMulNBitsModel({ m, n, k, bits, blockSize, codes: codes.subarray(1), scales })).toThrow(/code bytes/);
    expect(() => matMulNBitsModel({ m, n, k, bits, blockSize, codes, scales: scales.subarray(1) })).toThrow(/scales for/);
  });
});
