// tests (model layer): GGUF directory reading: the real stories260K file, hand-built files of every supported type, broken files.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/model/byteSource';
import { readTensor } from '../../src/model/dtypes';
import { readGgufDirectory } from '../../src/model/gguf';
import { ModelLoadError, type TensorEntry } from '../../src/model/types';
import { buildGguf, type GgufTensorSpec, type GgufValue } from '../support/ggufBuilder';

const repoRoot = path.resolve(__dirname, '../..');
const STORIES = path.resolve(repoRoot, '../shared/fixtures/stories260K');
const haveStories = existsSync(STORIES);
if (!haveStories) console.warn(`model-gguf: skipping the stories260K tests, ${STORIES} is absent`);

const open = (bytes: Uint8Array, name = 'test.gguf') => readGgufDirectory(bytesSource(name, bytes));
const u8 = (...xs: number[]) => Uint8Array.from(xs);
const le16 = (...bits: number[]) => new Uint8Array(Uint16Array.from(bits).buffer);
const f32Bytes = (...xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);

async function rejection(p: Promise<unknown>): Promise<ModelLoadError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(ModelLoadError);
  return e as ModelLoadError;
}

describe.skipIf(!haveStories)('stories260K.gguf (llama.cpp test model, see fixtures SOURCE.md)', () => {
  const bytes = () => new Uint8Array(readFileSync(path.join(STORIES, 'stories260K.gguf')));

  it('has the header, metadata and 48 F32 tensors the file declares', async () => {
    const dir = await open(bytes(), 'stories260K.gguf');
    expect(dir.version).toBe(3);
    expect(dir.architecture).toBe('llama');
    // The header's KV count is 19 (bytes 16..23 = 0x13; SOURCE.md's "18" miscounts).
    expect(Object.keys(dir.metadata)).toHaveLength(19);
    expect(dir.metadata['llama.embedding_length']).toBe(64);
    expect(dir.metadata['llama.attention.head_count_kv']).toBe(4);
    expect(dir.metadata['tokenizer.ggml.model']).toBe('llama');
    expect((dir.metadata['tokenizer.ggml.tokens'] as string[]).slice(0, 4)).toEqual(['<unk>', '<s>', '</s>', '<0x00>']);
    expect(dir.entries).toHaveLength(48);
    expect(dir.entries.every((e) => e.dtype === 'F32' && e.file === 'stories260K.gguf')).toBe(true);
    // Data section starts at 14176 (SOURCE.md), token_embd.weight is the first tensor at relative offset 0.
    const embd = dir.entries.find((e) => e.name === 'token_embd.weight') as TensorEntry;
    expect(embd).toMatchObject({ shape: [512, 64], byteOffset: 14176, byteLength: 512 * 64 * 4 });
    expect(dir.entries.find((e) => e.name === 'output_norm.weight')).toMatchObject({ shape: [64], byteOffset: 14176 + 131072 });
    expect(dir.entries.find((e) => e.name === 'blk.4.ffn_up.weight')).toMatchObject({ shape: [172, 64] });
  });

  it('reads token_embd.weight equal to the embedding table of the llama2.c checkpoint', async () => {
    const file = bytes();
    const dir = await open(file, 'stories260K.gguf');
    const embd = dir.entries.find((e) => e.name === 'token_embd.weight') as TensorEntry;
    const values = await readTensor(bytesSource('stories260K.gguf', file), embd);
    // llama2.c v0 checkpoint: 7 int32 (dim, hidden, layers, heads, kv heads, vocab, seq len), then the f32 [vocab, dim] table.
    const bin = readFileSync(path.join(STORIES, 'stories260K.bin'));
    const header = new Int32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + 28));
    expect([...header]).toEqual([64, 172, 5, 8, 4, 512, 512]);
    const table = new Float32Array(bin.buffer.slice(bin.byteOffset + 28, bin.byteOffset + 28 + 512 * 64 * 4));
    expect(values).toEqual(table);
  });

  it('says a truncated copy is cut short', async () => {
    const e = await rejection(open(bytes().slice(0, 1_000_000), 'stories260K.gguf'));
    expect(e.code).toBe('corrupt');
    // blk.3.* lies past byte 1,000,000; the first tensor that does not fit is named.
    expect(e.message).toMatch(/^stories260K\.gguf is not a readable GGUF file: tensor '[^']+' needs bytes \d+–\d+, but the file has only 1000000: it is cut short\. Try downloading it again\.$/);
    const head = await rejection(open(bytes().slice(0, 10_000), 'stories260K.gguf'));
    expect(head.message).toMatch(/^stories260K\.gguf is not a readable GGUF file: its header and tensor list need \d+ bytes, but the file has only 10000: it is cut short\. Try downloading it again\.$/);
  });
});

// Hand-built blocks with known scales and codes; layouts from ggml-common.h (block_q8_0, block_q4_0,
// block_q4_K, block_q6_K), values from the dequantize_row_* formulas written out by hand.

/** Q8_0: fp16 d, 32 int8 codes; x = d * q. Row 0: d = 0.5, q_i = 8i - 128; row 1: d = -1, q_i = i - 16. */
function q8_0(): { spec: GgufTensorSpec; expected: number[] } {
  const block = (dBits: number, q: (i: number) => number) => u8(dBits & 0xff, dBits >> 8, ...Array.from({ length: 32 }, (_, i) => q(i) & 0xff));
  const data = new Uint8Array([...block(0x3800, (i) => 8 * i - 128), ...block(0xbc00, (i) => i - 16)]);
  const expected = [...Array.from({ length: 32 }, (_, i) => 4 * i - 64), ...Array.from({ length: 32 }, (_, i) => -1 * (i - 16))] // -1 * 0 is -0, as in C;
  return { spec: { name: 'q8', ggmlType: 8, dims: [32, 2], data }, expected };
}

/** Q4_0: fp16 d = 2, byte j holds element j (low nibble) and j + 16 (high nibble); x = d * (q - 8). */
function q4_0(): { spec: GgufTensorSpec; expected: number[] } {
  const data = u8(0x00, 0x40, ...Array.from({ length: 16 }, (_, j) => j | ((15 - j) << 4)));
  const expected = [...Array.from({ length: 16 }, (_, j) => 2 * (j - 8)), ...Array.from({ length: 16 }, (_, j) => 2 * (7 - j))];
  return { spec: { name: 'q4', ggmlType: 2, dims: [32], data }, expected };
}

/**
 * Q4_K: fp16 d = 1, fp16 dmin = 0.5, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles. Sub-block s
 * (32 elements) has scale sc[s] and min m[s]; x = d * sc[s] * q - dmin * m[s]. Packing (get_scale_min_k4):
 * bytes 0-3 low 6 bits = sc[0..3], bytes 4-7 low 6 bits = m[0..3], bytes 8-11 = sc[4..7] low nibble |
 * m[4..7] low nibble << 4, and the top 2 bits of sc[4..7] / m[4..7] in bits 6-7 of bytes 0-3 / 4-7.
 * Codes: 64-element chunk c uses qs[32c..32c+31]: low nibbles are elements 64c + l, high nibbles 64c + 32 + l.
 */
function q4_K(): { spec: GgufTensorSpec; expected: number[] } {
  const sc = [1, 2, 3, 4, 21, 6, 7, 8];
  const m = [0, 1, 2, 3, 4, 5, 6, 40];
  // sc[4] = 21 = 0b01_0101 (low nibble 5 in byte 8, top bits 01 in byte 0); m[7] = 40 = 0b10_1000 (8 in byte 11, 10 in byte 7).
  const scales = [1 | (1 << 6), 2, 3, 4, 0, 1, 2, 3 | (2 << 6), 5 | (4 << 4), 6 | (5 << 4), 7 | (6 << 4), 8 | (8 << 4)];
  const qs = new Array<number>(128).fill(0);
  qs[0] = 0x53; // element 0: code 3, element 32: code 5
  qs[127] = 0xf0; // element 223: code 0, element 255: code 15
  const data = u8(0x00, 0x3c, 0x00, 0x38, ...scales, ...qs);
  const q = new Array<number>(256).fill(0);
  q[0] = 3; q[32] = 5; q[255] = 15;
  const expected = q.map((code, e) => sc[e >> 5] * code - 0.5 * m[e >> 5]);
  return { spec: { name: 'q4k', ggmlType: 12, dims: [256], data }, expected };
}

/**
 * Q6_K: ql[128], qh[64], int8 scales[16], fp16 d = 0.25; x = d * scales[e / 16] * (q - 32). In each
 * 128-element half (ql += 64, qh += 32), for l < 32: element l = ql[l] low | qh[l] bits 0-1 << 4,
 * l + 32 = ql[l + 32] low | bits 2-3, l + 64 = ql[l] high | bits 4-5, l + 96 = ql[l + 32] high | bits 6-7.
 */
function q6_K(): { spec: GgufTensorSpec; expected: number[] } {
  const ql = new Array<number>(128).fill(0);
  const qh = new Array<number>(64).fill(0);
  ql[0] = 0x21; qh[0] = 0b11_10_01_00; // elements 0, 32, 64, 96 get codes 1, 16, 34, 48
  ql[64 + 5] = 0x0f; // second half: element 128 + 5 gets code 15
  const scales = Array.from({ length: 16 }, (_, i) => (i === 15 ? -2 : i + 1));
  const data = u8(...ql, ...qh, ...scales.map((s) => s & 0xff), 0x00, 0x34);
  const q = new Array<number>(256).fill(0);
  q[0] = 1; q[32] = 16; q[64] = 34; q[96] = 48; q[133] = 15;
  const expected = q.map((code, e) => 0.25 * scales[e >> 4] * (code - 32));
  return { spec: { name: 'q6k', ggmlType: 14, dims: [256], data }, expected };
}

describe('hand-built GGUF files', () => {
  const float = {
    f32: { spec: { name: 'f32', ggmlType: 0, dims: [3, 2], data: f32Bytes(1, 2, 3, 4, 5, 6) }, expected: [1, 2, 3, 4, 5, 6] },
    // fp16 bits: 1, -2, 65504 (max), 2^-24 (smallest subnormal), -inf, 0x3555 = 0.25 * (1 + 341/1024).
    f16: { spec: { name: 'f16', ggmlType: 1, dims: [6], data: le16(0x3c00, 0xc000, 0x7bff, 0x0001, 0xfc00, 0x3555) },
      expected: [1, -2, 65504, 2 ** -24, -Infinity, 0.333251953125] },
    // bf16 bits: 1, -3, 0x4049 = 2 * (1 + 73/128), 0x0001 = 2^-133 (an f32 subnormal).
    bf16: { spec: { name: 'bf16', ggmlType: 30, dims: [4], data: le16(0x3f80, 0xc040, 0x4049, 0x0001) }, expected: [1, -3, 3.140625, 2 ** -133] },
  };
  const cases = { ...float, q8_0: q8_0(), q4_0: q4_0(), q4_K: q4_K(), q6_K: q6_K() };

  it.each([32, 64])('reads every supported type with its shape, offset and values (alignment %i)', async (alignment) => {
    const kv: Record<string, GgufValue> = {
      'general.architecture': { type: 'string', value: 'test' },
      'test.big': { type: 'u64', value: 2n ** 60n },
      'test.list': { type: 'array', itemType: 'i32', value: [-1, 2] },
    };
    if (alignment !== 32) kv['general.alignment'] = { type: 'u32', value: alignment };
    const file = buildGguf({ kv, tensors: Object.values(cases).map((c) => c.spec) });
    const source = bytesSource('test.gguf', file);
    const dir = await readGgufDirectory(source);
    expect(dir.architecture).toBe('test');
    expect(dir.metadata['test.big']).toBe(2n ** 60n);
    expect(dir.metadata['test.list']).toEqual([-1, 2]);
    expect(dir.entries.map((e) => [e.name, e.dtype, e.shape])).toEqual([
      ['f32', 'F32', [2, 3]], ['f16', 'F16', [6]], ['bf16', 'BF16', [4]],
      ['q8', 'Q8_0', [2, 32]], ['q4', 'Q4_0', [32]], ['q4k', 'Q4_K', [256]], ['q6k', 'Q6_K', [256]],
    ]);
    for (const [entry, c] of dir.entries.map((e, i) => [e, Object.values(cases)[i]] as const)) {
      expect(entry.byteOffset % alignment, entry.name).toBe(0);
      expect(entry.byteLength, entry.name).toBe(c.spec.data.length);
      expect(file.subarray(entry.byteOffset, entry.byteOffset + entry.byteLength), entry.name).toEqual(c.spec.data);
      expect([...(await readTensor(source, entry))], entry.name).toEqual(c.expected);
    }
  });

  it('accepts version 2 files', async () => {
    const dir = await open(buildGguf({ version: 2, tensors: [float.f32.spec] }));
    expect(dir).toMatchObject({ version: 2, architecture: null, metadata: {} });
    expect(dir.entries[0]).toMatchObject({ byteOffset: 96, byteLength: 24 }) // 24-byte header + 43-byte tensor info, padded to 32;
  });
});

describe('broken GGUF files', () => {
  const good = () => buildGguf({ tensors: [{ name: 'w', ggmlType: 0, dims: [4], data: f32Bytes(1, 2, 3, 4) }] });
  const tail = 'Try downloading it again.';

  it('refuses a file that is not GGUF', async () => {
    const e = await rejection(open(new TextEncoder().encode('{"__metadata__": {}}'), 'model.safetensors'));
    expect(e.code).toBe('corrupt');
    expect(e.message).toBe('model.safetensors is not a GGUF file: it starts with bytes [7b 22 5f 5f] instead of "GGUF". Choose a .gguf model file.');
  });

  it('refuses truncated files', async () => {
    const short = await rejection(open(good().slice(0, 12)));
    expect(short.message).toBe(`test.gguf is not a readable GGUF file: the file is only 12 bytes long, shorter than a GGUF header. ${tail}`);
    const noData = await rejection(open(good().slice(0, 70)));
    expect(noData.message).toBe(`test.gguf is not a readable GGUF file: tensor 'w' needs bytes 64–80, but the file has only 70: it is cut short. ${tail}`);
    const counts = good();
    counts[8] = 200; // 200 tensors
    expect((await rejection(open(counts))).message).toBe(
      `test.gguf is not a readable GGUF file: its header declares 200 tensors and 0 metadata entries, which cannot fit in 96 bytes. ${tail}`);
  });

  it('refuses unknown versions, version 1 and big-endian files', async () => {
    const v = (bytes: number[]) => { const f = good(); f.set(bytes, 4); return f; };
    const v7 = await rejection(open(v([7, 0, 0, 0])));
    expect(v7).toMatchObject({ code: 'corrupt', message: `test.gguf is not a readable GGUF file: its header says GGUF version 7; versions 2 and 3 exist. ${tail}` });
    const v1 = await rejection(open(v([1, 0, 0, 0])));
    expect(v1.code).toBe('unsupported');
    expect(v1.message).toBe('test.gguf is a GGUF version 1 file (2023), which is not supported. Convert the model again with a current llama.cpp (convert_hf_to_gguf.py) to get version 3.');
    const be = await rejection(open(v([0, 0, 0, 3])));
    expect(be).toMatchObject({ code: 'unsupported', message: 'test.gguf is a big-endian GGUF file, which is not supported. Use the little-endian version of the model.' });
  });

  it('refuses tensor types it cannot decode, naming the tensor, the type and the supported ones', async () => {
    const file = buildGguf({ tensors: [{ name: 'blk.0.attn_q.weight', ggmlType: 10, dims: [256], data: new Uint8Array(84) }] });
    const e = await rejection(open(file, 'model-Q2_K.gguf'));
    expect(e.code).toBe('unsupported');
    expect(e.message).toBe("Tensor 'blk.0.attn_q.weight' of model-Q2_K.gguf is stored as ggml type Q2_K (10), which lowbit cannot read. " +
      'Supported types: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q6_K. Choose a GGUF quantized to one of these (e.g. Q8_0, Q4_K_M or F16).');
  });

  it('refuses bad alignments, unaligned offsets, duplicate names and rows that are not whole blocks', async () => {
    const w = { name: 'w', ggmlType: 0, dims: [4], data: f32Bytes(1, 2, 3, 4) };
    const msg = async (spec: Parameters<typeof buildGguf>[0]) => (await rejection(open(buildGguf(spec)))).message;
    expect(await msg({ kv: { 'general.alignment': { type: 'u32', value: 24 } }, tensors: [w] }))
      .toBe(`test.gguf is not a readable GGUF file: general.alignment is 24, but it must be a power of two. ${tail}`);
    expect(await msg({ tensors: [{ ...w, offset: 4 }] }))
      .toBe(`test.gguf is not a readable GGUF file: tensor 'w' starts at data offset 4, which is not a multiple of the alignment 32. ${tail}`);
    expect(await msg({ tensors: [w, w] })).toBe(`test.gguf is not a readable GGUF file: it lists the tensor 'w' twice. ${tail}`);
    expect(await msg({ tensors: [{ name: 'q', ggmlType: 8, dims: [16], data: new Uint8Array(34) }] }))
      .toMatch(/^test\.gguf is not a readable GGUF file: tensor 'q' has shape \[16\], which Q8_0 cannot store \(.+\)\. Try downloading it again\.$/);
  });

  it('passes an abort through as an AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    const e = await readGgufDirectory(bytesSource('test.gguf', good()), controller.signal).then(() => null, (err: unknown) => err);
    expect(e).toMatchObject({ name: 'AbortError' });
  });
});
