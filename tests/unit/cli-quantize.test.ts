// tests (cli): `lowbit quantize`: a .npy tensor against a hand-computed INT8 case, models to dequantized bf16/f16 safetensors plus packed codes and scales that decode to the same weights, the report.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/errors';
import { main } from '../../src/cli/main';
import { readNpy, writeNpy } from '../../src/cli/npy';
import { bytesSource } from '../../src/model/byteSource';
import { decodeToFloat32 } from '../../src/model/dtypes';
import { readSafetensorsDirectory } from '../../src/model/safetensors';
import type { TensorEntry } from '../../src/model/types';
import { BF16, FP16 } from '../../src/quant/formats/fp';
import { dequantizePacked, type PackedWeights } from '../../src/quant/packed';
import { intFormat } from '../../src/spec/defaults';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MODEL_DIR = join(ROOT, 'public/models/lowbit-tiny-llama');
const SHARED = resolve(ROOT, '../shared/fixtures');
const f32 = Math.fround;

async function lowbit(...argv: string[]) {
  let out = '', err = '';
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; }, progress: false });
  return { code, out, err };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'lowbit-quantize-'));

/** A safetensors file's directory and a reader of its tensors as f32. */
async function openSafetensors(path: string) {
  const bytes = new Uint8Array(readFileSync(path));
  const dir = await readSafetensorsDirectory(bytesSource(path, bytes));
  const byName = new Map(dir.entries.map((e) => [e.name, e]));
  const raw = (e: TensorEntry) => bytes.subarray(e.byteOffset, e.byteOffset + e.byteLength);
  const entry = (name: string) => {
    const e = byName.get(name);
    if (!e) throw new Error(`${path} has no tensor ${name}`);
    return e;
  };
  return { dir, entry, raw: (name: string) => raw(entry(name)), values: (name: string) => decodeToFloat32(entry(name).dtype, raw(entry(name)), entry(name).shape) };
}

/** The packed weight `name` as stored in model.packed.safetensors (docs/CLI.md "Packed layout"). */
async function packedWeight(path: string, name: string): Promise<PackedWeights & { transposed: boolean }> {
  const file = await openSafetensors(path);
  const layout = JSON.parse(file.dir.metadata[name]) as { mode: PackedWeights['mode']; bits: number; n: number; k: number; groupSize: number; groupsPerRow: number; transposed: boolean };
  const has = (suffix: string) => file.dir.entries.some((e) => e.name === `${name}.${suffix}`);
  const codes = file.raw(`${name}.codes`);
  return {
    ...layout,
    codes: new Uint32Array(codes.slice().buffer),
    scales: file.values(`${name}.scales`),
    shifts: has('shifts') ? file.values(`${name}.shifts`) : new Float32Array(0),
    table: has('table') ? file.values(`${name}.table`) : new Float32Array(0),
  };
}

/** [rows, cols] → [cols, rows]. */
const transposed = (x: Float32Array, rows: number, cols: number) => Float32Array.from({ length: x.length }, (_, i) => x[(i % rows) * cols + Math.floor(i / rows)]);

describe('lowbit quantize, a tensor', () => {
  it('writes the dequantized .npy of INT8 absmax per row, equal to the hand-computed values, and the report', async () => {
    const dir = tmp();
    const x = Float32Array.of(1, -0.5, 0.25, 127, 2, 4, -8, 0.5);
    writeFileSync(join(dir, 'x.npy'), writeNpy(x, [2, 4]));
    const r = await lowbit('quantize', '--recipe', 'int8-per-row', '--in', join(dir, 'x.npy'), '--out', join(dir, 'y.npy'), '--report', join(dir, 'r.json'), '--backend', 'cpu');
    expect(r.err).toBe('');
    expect(r.code).toBe(EXIT.ok);
    // Row 0: absmax 127 → scale 1, codes round(x) half to even. Row 1: absmax 8 → scale f32(8/127),
    // codes round(x · f32(1/scale)) = round(31.75, 63.5, -127, 7.9375) = 32, 64, -127, 8.
    const s1 = f32(8 / 127);
    const expected = [1, 0, 0, 127, f32(32 * s1), f32(64 * s1), f32(-127 * s1), f32(8 * s1)];
    const y = readNpy(new Uint8Array(readFileSync(join(dir, 'y.npy'))), 'y.npy');
    expect(y.shape).toEqual([2, 4]);
    expect([...y.data]).toEqual(expected);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    const mse = expected.reduce((a, v, i) => a + (v - x[i]) ** 2, 0) / 8;
    expect(report.metrics.mse).toBeCloseTo(mse, 12);
    expect(report.metrics.bitsPerWeight).toBe(8 + 32 / 4); // 8-bit codes and an fp32 scale per row of 4
    expect(report.tensor).toEqual({ dtype: '<f4', shape: [2, 4], rows: 2, cols: 4, groups: { count: 2, size: 4 } });
    expect(report.backend).toBe('cpu');
    expect(r.out).toMatch(/^INT8 sym · per-row on .*x\.npy \[2×4\]/);
    expect(r.out).toContain(`checksum       ${report.checksum}`);
  });

  it('keeps the shape of a 3-D array (the last axis is the row) and reads other dtypes', async () => {
    const dir = tmp();
    const x = Float32Array.from({ length: 2 * 3 * 64 }, (_, i) => Math.sin(i) * 0.1);
    writeFileSync(join(dir, 'x.npy'), writeNpy(x, [2, 3, 64]));
    const r = await lowbit('quantize', '--recipe', 'llama-q4_0', '--in', join(dir, 'x.npy'), '--out', join(dir, 'y.npy'), '--backend', 'cpu', '--json');
    expect(r.code).toBe(EXIT.ok);
    const report = JSON.parse(r.out);
    expect(report.tensor).toMatchObject({ shape: [2, 3, 64], rows: 6, cols: 64, groups: { count: 12, size: 32 } });
    expect(report.metrics.bitsPerWeight).toBe(4.5);
    expect(readNpy(new Uint8Array(readFileSync(join(dir, 'y.npy'))), 'y').shape).toEqual([2, 3, 64]);
  });

  it('refuses a recipe with a transform step and a file that is not .npy', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'recipe.json'), JSON.stringify({ transform: { method: 'hadamard', params: {} }, format: intFormat(4, 'sym'), granularity: { kind: 'block', blockSize: 64 } }));
    writeFileSync(join(dir, 'x.npy'), 'not numpy');
    const t = await lowbit('quantize', '--recipe', join(dir, 'recipe.json'), '--in', join(dir, 'x.npy'), '--out', join(dir, 'y.npy'));
    expect(t.code).toBe(EXIT.input);
    expect(t.err).toMatch(/has a hadamard step, which lowbit quantize does not apply yet/);
    const n = await lowbit('quantize', '--recipe', 'llama-q4_0', '--in', join(dir, 'x.npy'), '--out', join(dir, 'y.npy'), '--backend', 'cpu');
    expect(n.code).toBe(EXIT.input);
    expect(n.err).toMatch(/not a \.npy file/);
  });
});

describe('lowbit quantize, a model', () => {
  it('writes every tensor as bf16 (projections dequantized), packed codes and scales that decode to the same weights, and copies config and tokenizer', async () => {
    const out = join(tmp(), 'int4');
    const r = await lowbit('quantize', '--recipe', 'gptq-int4-g128', '--in', MODEL_DIR, '--out', out, '--report', join(out, '..', 'report.json'), '--backend', 'cpu');
    expect(r.code).toBe(EXIT.ok);
    const source = await openSafetensors(join(MODEL_DIR, 'model.safetensors'));
    const model = await openSafetensors(join(out, 'model.safetensors'));
    expect(model.dir.metadata).toEqual({ format: 'pt' }); // transformers refuses safetensors without it
    expect(model.dir.entries.map((e) => [e.name, e.shape, e.dtype]).sort()).toEqual(source.dir.entries.map((e) => [e.name, e.shape, 'BF16']).sort());
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json']) {
      expect(readFileSync(join(out, f)), f).toEqual(readFileSync(join(MODEL_DIR, f)));
    }
    // A norm is not quantized: its bf16 values are the originals rounded to bf16.
    expect([...model.values('model.norm.weight')]).toEqual([...source.values('model.norm.weight')].map((v) => BF16.round(v)));
    // A projection: its packed form dequantizes to the f32 weights whose bf16 rounding was written.
    const name = 'model.layers.1.self_attn.k_proj.weight';
    const packed = await packedWeight(join(out, 'model.packed.safetensors'), name);
    expect(packed).toMatchObject({ mode: 'affine', bits: 4, groupSize: 128, transposed: false });
    const w = dequantizePacked(packed);
    expect([...model.values(name)]).toEqual([...w].map((v) => BF16.round(v)));
    const original = source.values(name);
    expect([...w].some((v, i) => v !== original[i])).toBe(true); // it was quantized
    const report = JSON.parse(readFileSync(join(out, '..', 'report.json'), 'utf8'));
    const projections = source.dir.entries.filter((e) => /(q|k|v|o|gate|up|down)_proj\.weight$/.test(e.name));
    expect(report.quantizedTensors).toBe(projections.length);
    expect(report.bitsPerWeight).toBeCloseTo(4 + (32 + 4) / 128, 12); // 4-bit codes; per 128: fp32 scale + 4-bit zero point
    expect(report.tensors.find((t: { name: string }) => t.name === name).packed).toMatchObject({ mode: 'affine', bits: 4 });
    expect(r.out).toMatch(/INT4 asym · block 128: \d+ tensors \([\d,]+ weights\) at 4\.28125 bits per weight/);
  });

  it('writes f16 with --dtype f16', async () => {
    const out = join(tmp(), 'q8');
    const r = await lowbit('quantize', '--recipe', 'llama-q8_0', '--in', join(MODEL_DIR, 'model.safetensors'), '--out', out, '--dtype', 'f16', '--backend', 'cpu');
    expect(r.code).toBe(EXIT.ok);
    const model = await openSafetensors(join(out, 'model.safetensors'));
    expect(new Set(model.dir.entries.map((e) => e.dtype))).toEqual(new Set(['F16']));
    const source = await openSafetensors(join(MODEL_DIR, 'model.safetensors'));
    expect([...model.values('model.norm.weight')]).toEqual([...source.values('model.norm.weight')].map((v) => FP16.round(v)));
    expect(existsSync(join(out, 'config.json'))).toBe(true); // companions of a single .safetensors file
  });

  const gpt2 = join(SHARED, 'fake-gpt2-random');
  if (!existsSync(gpt2)) console.warn(`skipping the GPT-2 quantize test: ${gpt2} is absent (../shared/fixtures is not part of a fresh clone)`);
  describe.skipIf(!existsSync(gpt2))('GPT-2 (Conv1D weights stored [in, out])', () => {
    it('packs the transposed weight [out, in] and writes the dequantized one in the stored layout', async () => {
      const out = join(tmp(), 'gpt2');
      const q8 = await lowbit('quantize', '--recipe', 'llama-q8_0', '--in', gpt2, '--out', out, '--backend', 'cpu');
      expect(q8.code).toBe(EXIT.input); // its rows (n_embd 2) are shorter than a ggml block
      expect(q8.err).toMatch(/Q8_0 · block 32 cannot quantize transformer\.h\.0\.attn\.c_attn\.weight \[6×2\]: .*Choose a recipe that fits its rows/);
      const r = await lowbit('quantize', '--recipe', 'int8-per-row', '--in', gpt2, '--out', out, '--backend', 'cpu');
      expect(r.code).toBe(EXIT.ok);
      const model = await openSafetensors(join(out, 'model.safetensors'));
      const name = model.dir.entries.map((e) => e.name).find((n) => n.endsWith('mlp.c_fc.weight'));
      if (!name) throw new Error('the GPT-2 fixture has no mlp.c_fc.weight');
      const [rows, cols] = model.entry(name).shape;
      const packed = await packedWeight(join(out, 'model.packed.safetensors'), name);
      expect(packed).toMatchObject({ transposed: true, n: cols, k: rows });
      expect([...model.values(name)]).toEqual([...transposed(dequantizePacked(packed), cols, rows)].map((v) => BF16.round(v)));
    });
  });
});
