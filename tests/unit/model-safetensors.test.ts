// tests (model layer): safetensors: the writer against the reference's byte vectors, round trips of every dtype, the real GPT-2 fixture, a corpus of damaged files with their exact messages, and random mutations.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blobSource, bytesSource } from '../../src/model/byteSource';
import { dtypeByteLength, readTensor } from '../../src/model/dtypes';
import { encodeSafetensors, parseSafetensorsHeader, readSafetensorsDirectory, type SafetensorsTensor } from '../../src/model/safetensors';
import { ModelLoadError, type TensorDType } from '../../src/model/types';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = path.resolve(repoRoot, '../shared/fixtures');
const gpt2File = path.join(fixtures, 'fake-gpt2-random/model.safetensors');
const haveFixtures = existsSync(fixtures);
if (!haveFixtures) console.warn(`model-safetensors: skipping the fixture tests, ${fixtures} is absent`);

const bytesOf = (s: string) => new TextEncoder().encode(s);
const f32 = (...xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);
const parse = (file: Uint8Array, name = 'bad.safetensors') => parseSafetensorsHeader(file, file.length, name);

/** A file with this exact header text (no padding) followed by `dataBytes` zero bytes. */
function rawFile(header: string | Uint8Array, dataBytes: number, declaredLength?: bigint): Uint8Array {
  const json = typeof header === 'string' ? bytesOf(header) : header;
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

describe('encodeSafetensors writes what the reference serializer writes (safetensors/src/tensor.rs tests)', () => {
  it('test_serialization: attn.0 F32 [1, 2, 3] = 0..5, a 64-byte header needing no padding', () => {
    const out = encodeSafetensors([{ name: 'attn.0', dtype: 'F32', shape: [1, 2, 3], data: f32(0, 1, 2, 3, 4, 5) }]);
    expect([...out]).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });
  it('test_serialization_forced_alignement: a 65-byte header padded with 7 spaces to 72', () => {
    const out = encodeSafetensors([{ name: 'attn0', dtype: 'F32', shape: [1, 1, 2, 3], data: f32(0, 1, 2, 3, 4, 5) }]);
    expect(out[0]).toBe(72);
    expect(new TextDecoder().decode(out.subarray(8, 80))).toBe('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');
    expect(out.length).toBe(80 + 24);
  });
  it('test_empty: no tensors, with and without __metadata__', () => {
    expect([...encodeSafetensors([])]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect([...encodeSafetensors([], { framework: 'pt' })]).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
      95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
      116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });
  it('orders tensors by element size, largest first, then by name, and keeps integer-like names in that order', () => {
    const out = encodeSafetensors([
      { name: 'b', dtype: 'U8', shape: [1], data: new Uint8Array([1]) },
      { name: '0', dtype: 'F16', shape: [1], data: new Uint8Array(2) },
      { name: 'a', dtype: 'F64', shape: [1], data: new Uint8Array(8) },
      { name: 'a2', dtype: 'U8', shape: [1], data: new Uint8Array([2]) },
    ]);
    const header = new TextDecoder().decode(out.subarray(8, 8 + out[0])).trimEnd();
    expect(header).toBe('{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"0":{"dtype":"F16","shape":[1],"data_offsets":[8,10]},'
      + '"a2":{"dtype":"U8","shape":[1],"data_offsets":[10,11]},"b":{"dtype":"U8","shape":[1],"data_offsets":[11,12]}}');
  });
  it('refuses block dtypes, wrong data lengths and repeated or reserved names', () => {
    expect(() => encodeSafetensors([{ name: 'q', dtype: 'Q8_0', shape: [32], data: new Uint8Array(34) }]))
      .toThrow('encodeSafetensors: Q8_0 (tensor "q") is a ggml block type, not a safetensors dtype');
    expect(() => encodeSafetensors([{ name: 'w', dtype: 'F32', shape: [2], data: new Uint8Array(4) }]))
      .toThrow('encodeSafetensors: tensor "w" (F32 [2]) needs 8 bytes, got 4');
    const t = { name: 'w', dtype: 'U8' as const, shape: [1], data: new Uint8Array(1) };
    expect(() => encodeSafetensors([t, t])).toThrow('encodeSafetensors: tensor name "w" is reserved or repeated');
    expect(() => encodeSafetensors([{ ...t, name: '__metadata__' }])).toThrow('encodeSafetensors: tensor name "__metadata__" is reserved or repeated');
  });
});

describe('round trip of every safetensors dtype: encode -> parse -> readTensor', () => {
  // Each dtype stores 1, -2, 0.5 (or 1, 2, 3 / 1, -2, 3 for integers), encoded by hand.
  const u16 = (...xs: number[]) => new Uint8Array(new Uint16Array(xs).buffer);
  const cases: { dtype: TensorDType; data: Uint8Array; values: number[] }[] = [
    { dtype: 'F64', data: new Uint8Array(new Float64Array([1, -2, 0.5]).buffer), values: [1, -2, 0.5] },
    { dtype: 'F32', data: f32(1, -2, 0.5), values: [1, -2, 0.5] },
    { dtype: 'F16', data: u16(0x3c00, 0xc000, 0x3800), values: [1, -2, 0.5] },
    { dtype: 'BF16', data: u16(0x3f80, 0xc000, 0x3f00), values: [1, -2, 0.5] },
    { dtype: 'F8_E4M3', data: new Uint8Array([0x38, 0xc0, 0x30]), values: [1, -2, 0.5] },
    { dtype: 'F8_E5M2', data: new Uint8Array([0x3c, 0xc0, 0x38]), values: [1, -2, 0.5] },
    { dtype: 'I64', data: new Uint8Array(new BigInt64Array([1n, -2n, 3n]).buffer), values: [1, -2, 3] },
    { dtype: 'I32', data: new Uint8Array(new Int32Array([1, -2, 3]).buffer), values: [1, -2, 3] },
    { dtype: 'I16', data: new Uint8Array(new Int16Array([1, -2, 3]).buffer), values: [1, -2, 3] },
    { dtype: 'I8', data: new Uint8Array(new Int8Array([1, -2, 3]).buffer), values: [1, -2, 3] },
    { dtype: 'U8', data: new Uint8Array([1, 2, 3]), values: [1, 2, 3] },
  ];
  const tensors: SafetensorsTensor[] = cases.map((c) => ({ name: `t.${c.dtype}`, dtype: c.dtype, shape: [1, 3], data: c.data }));
  const file = encodeSafetensors(tensors, { format: 'pt', note: 'round trip' });

  it('parses back every tensor with its dtype, shape, exact bytes and element-aligned offset', async () => {
    const { entries, metadata } = parse(file, 'all.safetensors');
    expect(metadata).toEqual({ format: 'pt', note: 'round trip' });
    expect(entries.map((e) => e.name).sort()).toEqual(tensors.map((t) => t.name).sort());
    const source = bytesSource('all.safetensors', file);
    for (const c of cases) {
      const e = entries.find((x) => x.name === `t.${c.dtype}`)!;
      expect(e).toMatchObject({ dtype: c.dtype, shape: [1, 3], byteLength: c.data.length, file: 'all.safetensors' });
      expect(e.byteOffset % dtypeByteLength(c.dtype, [1])).toBe(0);
      expect(await source.read(e.byteOffset, e.byteOffset + e.byteLength)).toEqual(c.data);
      expect([...(await readTensor(source, e))]).toEqual(c.values);
    }
  });
  it('reads the same directory through readSafetensorsDirectory from memory and from a Blob', async () => {
    const expected = parse(file, 'all.safetensors');
    expect(await readSafetensorsDirectory(bytesSource('all.safetensors', file))).toEqual(expected);
    expect(await readSafetensorsDirectory(blobSource(new Blob([file]), 'all.safetensors'))).toEqual(expected);
  });
  it('accepts extra space padding, a null __metadata__, scalars, zero-size tensors and unknown extra fields', () => {
    const header = '{"__metadata__":null,"s":{"dtype":"F32","shape":[],"data_offsets":[0,4],"extra":1},'
      + '"z":{"dtype":"F16","shape":[3,0],"data_offsets":[4,4]}}                 ';
    const { entries, metadata } = parse(rawFile(header, 4), 'ok.safetensors');
    expect(metadata).toEqual({});
    const n = bytesOf(header).length;
    expect(entries).toEqual([
      { name: 's', dtype: 'F32', shape: [], byteOffset: 8 + n, byteLength: 4, file: 'ok.safetensors' },
      { name: 'z', dtype: 'F16', shape: [3, 0], byteOffset: 8 + n + 4, byteLength: 0, file: 'ok.safetensors' },
    ]);
  });
});

describe.skipIf(!haveFixtures)('the fake-gpt2-random fixture (a real transformers save_pretrained file)', () => {
  it('parses: header 1392 bytes, 16 F32 tensors covering the file, __metadata__ {format: pt}', async () => {
    const file = new Uint8Array(readFileSync(gpt2File));
    expect(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true)).toBe(1392n);
    const { entries, metadata } = await readSafetensorsDirectory(bytesSource('model.safetensors', file));
    expect(metadata).toEqual({ format: 'pt' });
    expect(entries).toHaveLength(16);
    expect(entries.every((e) => e.dtype === 'F32' && e.file === 'model.safetensors')).toBe(true);
    expect(entries[0].byteOffset).toBe(8 + 1392);
    expect(entries.reduce((n, e) => n + e.byteLength, 0)).toBe(file.length - 8 - 1392);
    const wte = entries.find((e) => e.name === 'transformer.wte.weight')!;
    expect(wte.shape).toEqual([50257, 2]);
    expect(wte.byteLength).toBe(50257 * 2 * 4);
    expect(entries.find((e) => e.name === 'transformer.wpe.weight')!.shape).toEqual([1024, 2]);
    // Values against a DataView read of the raw little-endian f32s.
    const w = await readTensor(bytesSource('model.safetensors', file), wte);
    const dv = new DataView(file.buffer, file.byteOffset);
    for (const i of [0, 1, 2, 50000, 100513]) expect(w[i]).toBe(dv.getFloat32(wte.byteOffset + 4 * i, true));
    expect(w.every(Number.isFinite)).toBe(true);
  });
});

describe('damaged files: each check of the reference reader, with its exact message', () => {
  const F = 'bad.safetensors';
  const t = (dtype: string, shape: unknown, offsets: unknown) => JSON.stringify({ dtype, shape, data_offsets: offsets });
  const cases: { name: string; file: Uint8Array; message: string; code?: string }[] = [
    {
      name: 'shorter than 8 bytes', file: new Uint8Array(5),
      message: `${F} is not a safetensors file: it is only 5 bytes long, shorter than the 8-byte header length every safetensors file starts with. The download may have been cut short; try downloading it again.`,
    },
    {
      name: 'header length past the end of the file', file: rawFile('{"a":1}', 3, 1000n),
      message: `${F} is truncated or not a safetensors file: its header should be 1000 bytes long, but only 10 bytes follow the 8-byte length. Try downloading it again.`,
    },
    {
      name: 'header length over the 100 MB cap', file: rawFile('{}', 0, 100_000_001n),
      message: `${F} is not a safetensors file, or it is damaged: its first 8 bytes give a header length of 100000001 bytes, over the 100000000-byte limit of the format. Check that you chose a .safetensors file, or try downloading it again.`,
    },
    {
      name: 'header length 2^64 - 1', file: rawFile('{}', 0, 2n ** 64n - 1n),
      message: `${F} is not a safetensors file, or it is damaged: its first 8 bytes give a header length of 18446744073709551615 bytes, over the 100000000-byte limit of the format. Check that you chose a .safetensors file, or try downloading it again.`,
    },
    { name: 'not UTF-8', file: rawFile(new Uint8Array([0x7b, 0xff, 0x7d]), 0), message: `${F} is damaged: its 3-byte header is not valid UTF-8 text. Try downloading it again.` },
    { name: 'not JSON', file: rawFile('{"a":', 0), message: `${F} is damaged: its 5-byte header is not valid JSON. Try downloading it again.` },
    { name: 'a byte-order mark before the JSON', file: rawFile('\ufeff{}', 0), message: `${F} is damaged: its 5-byte header is not valid JSON. Try downloading it again.` },
    {
      name: 'a JSON array, not an object', file: rawFile('[1,2]', 0),
      message: `${F} is damaged: its header should be a JSON object of tensor descriptions, but it is an array. Try downloading it again.`,
    },
    {
      name: '__metadata__ with a non-string value', file: rawFile('{"__metadata__":{"format":1}}', 0),
      message: `${F} is damaged: its "__metadata__" entry "format" should be a string, but it is the number 1. Try downloading it again.`,
    },
    {
      name: 'a tensor described by a string', file: rawFile('{"w":"F32"}', 0),
      message: `${F} is damaged: tensor "w" should be described by an object with dtype, shape and data_offsets, but it is the string "F32". Try downloading it again.`,
    },
    {
      name: 'unknown dtype', file: rawFile(`{"w":${t('F12', [1], [0, 4])}}`, 4),
      message: `${F} is damaged: tensor "w" has dtype "F12", which is not a safetensors dtype. Try downloading it again.`,
    },
    {
      name: 'a ggml dtype, which safetensors does not have', file: rawFile(`{"w":${t('Q4_0', [32], [0, 18])}}`, 18),
      message: `${F} is damaged: tensor "w" has dtype "Q4_0", which is not a safetensors dtype. Try downloading it again.`,
    },
    {
      name: 'negative dimension', file: rawFile(`{"w":${t('F32', [2, -1], [0, 4])}}`, 4),
      message: `${F} is damaged: tensor "w" has shape [2,-1], but a shape must be a list of whole numbers >= 0. Try downloading it again.`,
    },
    {
      name: 'fractional dimension', file: rawFile(`{"w":${t('F32', [1.5], [0, 4])}}`, 4),
      message: `${F} is damaged: tensor "w" has shape [1.5], but a shape must be a list of whole numbers >= 0. Try downloading it again.`,
    },
    {
      name: 'data_offsets of one number', file: rawFile(`{"w":${t('F32', [1], [4])}}`, 4),
      message: `${F} is damaged: tensor "w" has data_offsets [4], but they must be two whole numbers [begin, end] >= 0. Try downloading it again.`,
    },
    {
      name: 'begin after end', file: rawFile(`{"w":${t('F32', [1], [8, 4])}}`, 8),
      message: `${F} is damaged: tensor "w" has data_offsets [8, 4], which end before they begin. Try downloading it again.`,
    },
    {
      name: 'span not shape x dtype size', file: rawFile(`{"w":${t('F32', [2, 2], [0, 12])}}`, 12),
      message: `${F} is damaged: tensor "w" is F32 with shape [2, 2], which needs 16 bytes, but its data_offsets [0, 12] span 12 bytes. Try downloading it again.`,
    },
    {
      name: 'a shape whose size overflows', file: rawFile(`{"w":${t('F32', [2 ** 40, 2 ** 40], [0, 4])}}`, 4),
      message: `${F} is damaged: tensor "w" has shape [1099511627776, 1099511627776], which would need 4835703278458516698824704 bytes of F32, more than any file can hold. Try downloading it again.`,
    },
    {
      name: 'offsets past the end of the file', file: rawFile(`{"w":${t('F32', [2], [0, 8])}}`, 4),
      message: `${F} is truncated or damaged: tensor "w" ends at data byte 8, but the file holds only 4 bytes of tensor data. Try downloading it again.`,
    },
    {
      name: 'overlapping tensors', file: rawFile(`{"a":${t('F32', [2], [0, 8])},"b":${t('F32', [2], [4, 12])}}`, 12),
      message: `${F} is damaged: tensor "b" starts at data byte 4, inside tensor "a" (bytes 0 to 8). Try downloading it again.`,
    },
    {
      name: 'a gap between tensors', file: rawFile(`{"b":${t('F32', [1], [8, 12])},"a":${t('F32', [1], [0, 4])}}`, 12),
      message: `${F} is damaged: tensor "b" starts at data byte 8, but the previous tensor "a" ends at 4, leaving 4 bytes that belong to no tensor. Try downloading it again.`,
    },
    {
      name: 'a gap before the first tensor', file: rawFile(`{"a":${t('F32', [1], [4, 8])}}`, 8),
      message: `${F} is damaged: tensor "a" starts at data byte 4, but the data starts at 0, leaving 4 bytes that belong to no tensor. Try downloading it again.`,
    },
    {
      name: 'trailing bytes after the last tensor', file: rawFile(`{"a":${t('F32', [1], [0, 4])}}`, 6),
      message: `${F} is damaged: its tensors end at data byte 4, but the file holds 6 bytes of tensor data (2 bytes at the end belong to no tensor). Try downloading it again.`,
    },
    {
      name: 'a valid file with a BOOL tensor (a safetensors dtype lowbit does not decode)', code: 'unsupported',
      file: rawFile(`{"m":${t('BOOL', [2], [0, 2])}}`, 2),
      message: `${F}: tensor "m" is stored as BOOL, which lowbit cannot read (it reads F64, F32, F16, BF16, F8_E4M3, F8_E5M2, I64, I32, I16, I8, U8). Convert the model to one of these types.`,
    },
  ];
  it.each(cases)('$name', ({ file, message, code }) => {
    let error: unknown;
    try {
      parse(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).code).toBe(code ?? 'corrupt');
    expect((error as ModelLoadError).message).toBe(message);
  });
  it('readSafetensorsDirectory gives the same messages and reads only 8 bytes when the length is wrong', async () => {
    const reads: [number, number][] = [];
    const spy = (file: Uint8Array) => {
      const inner = bytesSource(F, file);
      return { ...inner, read: (s: number, e: number) => (reads.push([s, e]), inner.read(s, e)) };
    };
    await expect(readSafetensorsDirectory(spy(new Uint8Array(5)))).rejects.toThrow(`${F} is not a safetensors file: it is only 5 bytes long`);
    await expect(readSafetensorsDirectory(spy(rawFile('{}', 0, 100_000_001n)))).rejects.toThrow('over the 100000000-byte limit');
    expect(reads).toEqual([[0, 5], [0, 8]]);
  });
});

describe('random damage never escapes as anything but a ModelLoadError', () => {
  const valid = encodeSafetensors([
    { name: 'w', dtype: 'F32', shape: [2, 3], data: f32(1, 2, 3, 4, 5, 6) },
    { name: 'b', dtype: 'BF16', shape: [3], data: new Uint8Array(6) },
    { name: 'i', dtype: 'U8', shape: [5], data: new Uint8Array(5) },
  ], { format: 'pt' });
  // Positions of the digits in the header: changing one to another digit keeps the JSON valid and reaches the offset and shape checks.
  const digits = [...valid.subarray(0, 8 + valid[0]).keys()].filter((i) => i >= 8 && valid[i] >= 0x30 && valid[i] <= 0x39);
  const anyByte = fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }));
  const digitToDigit = fc.tuple(fc.constantFrom(...digits), fc.integer({ min: 0x30, max: 0x39 }));
  const mutation = fc.record({
    edits: fc.array(fc.oneof(anyByte, digitToDigit), { minLength: 1, maxLength: 6 }),
    cut: fc.integer({ min: -4, max: 4 }),
  });
  it('each mutated file parses to a consistent directory or throws ModelLoadError', () => {
    fc.assert(fc.property(mutation, ({ edits, cut }) => {
      const grown = new Uint8Array(Math.max(0, valid.length + cut));
      grown.set(valid.subarray(0, grown.length));
      for (const [at, value] of edits) if (at < grown.length) grown[at] = value;
      let dir;
      try {
        dir = parse(grown, 'm.safetensors');
      } catch (e) {
        if (!(e instanceof ModelLoadError)) throw e;
        return;
      }
      const n = Number(new DataView(grown.buffer).getBigUint64(0, true));
      let at = 8 + n;
      for (const e of dir.entries) {
        expect(e.byteOffset).toBe(at);
        expect(e.byteLength).toBe(dtypeByteLength(e.dtype, e.shape));
        at += e.byteLength;
      }
      expect(at).toBe(grown.length);
      expect(Object.values(dir.metadata).every((v) => typeof v === 'string')).toBe(true);
    }), { numRuns: 2000, seed: 20240607 });
  });
});
