// tests: typed codebooks, Lloyd-Max, log2 and LLM-FP4 search on quant_table.wgsl (fit/search on the CPU) against src/quant/nonuniform, bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFormatFor } from '../../src/engine/gpuBackend';
import {
  encodeTableQuant, f32Key, hasFlushedScale, logCodebook, type TableFormat, tableFor, tensorScaledCodebook, zeroScaleAsZero,
} from '../../src/gpu/kernels/quantTable';
import { bitsF32, f32Bits } from '../../src/lib/f32';
import { readBuffers } from '../../src/gpu/readback';
import { type GpuRuntime, uploadStorage } from '../../src/gpu/runtime';
import { E2M1, E3M2, fpFormat } from '../../src/quant/formats/fp';
import { type GroupKind, type GroupLayout, groupLayout, groupIndices } from '../../src/quant/groups';
import { packCodes } from '../../src/quant/pack';
import { dequantizeFpSearch, fpCandidates, quantizeFpFixed, quantizeFpSearch } from '../../src/quant/nonuniform/llmFp4';
import { dequantizeLloydMax, lloydMaxStoredLevels, quantizeLloydMax, storedCodebook } from '../../src/quant/nonuniform/lloydMax';
import { dequantizeLog, type LogFormat, quantizeLog } from '../../src/quant/nonuniform/log2';
import { dequantizeUserCodebook, quantizeUserCodebook, type UserScaling, userCodebook } from '../../src/quant/nonuniform/userCodebook';
import { createRng, studentT } from '../../src/lib/rng';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

type Rand = () => number;

const heavyTailed = (rand: Rand, n: number, spread: number): number[] =>
  Array.from({ length: n }, () => studentT(rand, 3) * 2 ** Math.round((rand() * 2 - 1) * spread));
const nextUp = (v: number): number => bitsF32(v >= 0 ? f32Bits(v) + (Object.is(v, -0) ? -0x80000000 + 1 : 1) : f32Bits(v) - 1);
const keyValue = (key: number): number => bitsF32(key & 0x80000000 ? key & 0x7fffffff : ~key >>> 0);

/** Every bound of the GPU table and its f32 neighbours, every level, both signs, ±0 (in encoder units). */
function decisionPoints(format: TableFormat): number[] {
  const t = tableFor(format);
  const out: number[] = [];
  for (const key of t.bounds) { const v = keyValue(key); out.push(v, nextUp(v), -nextUp(-v)); }
  for (const b of t.levels) if (Number.isFinite(bitsF32(b))) out.push(bitsF32(b));
  return [...out, ...out.map((v) => -v), 0, -0].filter(Number.isFinite);
}

/** Fills `x` group by group (`block(g, len)` gives the group's values in order). */
function fillGroups(x: Float32Array, layout: GroupLayout, block: (g: number, len: number) => number[]): void {
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    const vals = block(g, idx.length);
    idx.forEach((i, k) => { x[i] = vals[k]; });
  }
}

const cycle = (pool: number[], len: number, offset: number, head: number[] = []): number[] => {
  const out = head.slice(0, len);
  for (let k = out.length; k < len; k++) out.push(pool[(offset + k) % pool.length]);
  return out;
};

const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

function expectSame(what: string, gpu: ArrayLike<number>, ref: ArrayLike<number>, x?: Float32Array): void {
  expect(gpu.length, `${what}: length`).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    if (gpu[i] !== ref[i]) {
      const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;
      expect.fail(`${what}[${i}]: gpu ${hex(gpu[i])} != cpu ${hex(ref[i])}${x ? ` (x = ${x[i]})` : ''}`);
    }
  }
}

interface Reference { words: Uint32Array; xhat: Float32Array; scales?: Float32Array }

/** Runs the table kernel and compares packed words, stored scales (when given) and dequantized bits. */
async function expectParity(where: string, x: Float32Array, layout: GroupLayout, format: TableFormat, ref: Reference): Promise<void> {
  const enc = rt.device.createCommandEncoder({ label: 'test.quant_fitted' });
  const xb = uploadStorage(rt, x, 'test.x');
  const q = encodeTableQuant(rt, enc, xb, x.length, layout, format);
  const [words, xhat, groups] = await readBuffers(rt.device, enc, [q.words, q.xhat, q.groups]);
  void rt.pool.releaseAfterSubmit([xb, ...Object.values(q)]);
  expectSame(`${where} words`, new Uint32Array(words), ref.words);
  if (ref.scales) expectSame(`${where} scales`, new Uint32Array(groups, 0, 2 * layout.groupCount).filter((_, k) => k % 2 === 0), bitsOf(ref.scales));
  expectSame(`${where} xhat`, new Uint32Array(xhat, 0, x.length), bitsOf(ref.xhat), x);
}

interface Shape { rows: number; cols: number; kind: GroupKind; block: number }
const shape = (rows: number, cols: number, kind: GroupKind, block = 0): Shape => ({ rows, cols, kind, block });
const SHAPES = [shape(37, 53, 'block', 16), shape(33, 70, 'column'), shape(50, 41, 'block', 64), shape(9, 300, 'row')];

const USER_BOOKS: number[][] = [
  [-1, -0.5, -0.125, 0, 0.25, 0.75, 1.5], // 7 levels: 3-bit codes, code 7 unused
  [-2, -1, 0.5, 1, 3], // no zero level: an all-zero group takes 0.5 / 3
  [-0.01, 0.01], // 1-bit codes
  [0.1, 0.2, 0.7], // all positive
  Array.from({ length: 256 }, (_, i) => (i - 127.5) / 17), // 8-bit codes
  [-3, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 20], // 16 levels
];

describe('typed codebooks on the table kernel match userCodebook.ts', () => {
  for (const scaling of ['absmax', 'raw'] as UserScaling[]) {
    for (const levels of USER_BOOKS) {
      it(`${scaling}, ${levels.length} levels`, async () => {
        const cb = userCodebook(levels, scaling);
        const format: TableFormat = scaling === 'raw' ? { kind: 'codebook', codebook: cb }
          : { kind: 'absmax', codebook: zeroScaleAsZero(cb), scaleType: 'fp32', subnormalBounds: true };
        const points = decisionPoints(format);
        const inner = points.filter((v) => Math.abs(v) <= 1);
        for (const [k, s] of SHAPES.entries()) {
          const rand = createRng(levels.length * 10 + k);
          const layout = groupLayout(s.rows, s.cols, s.kind, s.block);
          const x = new Float32Array(s.rows * s.cols);
          fillGroups(x, layout, (g, len) => {
            switch (g % 6) {
              case 1: return scaling === 'raw' ? cycle(points, len, g * 7) : cycle(inner, len, g * 7, [1]); // exact ties (absmax: scale 1)
              case 2: return cycle([0, -0], len, g); // all-zero group: CPU inv := 0
              case 3: return cycle([2 ** -100, -(2 ** -100), -(2 ** -130), 2 ** -149, -(2 ** -149)], len, g, [2 ** 30]); // underflowing products
              case 4: return heavyTailed(rand, len, 1).map((v) => v * 2 ** -128); // f32-subnormal scale
              default: return heavyTailed(rand, len, 4);
            }
          });
          const q = quantizeUserCodebook(x, layout, levels, scaling);
          expect(tableFormatFor({ kind: 'codebook', levels, scaling }, x, layout)?.kind).toBe(format.kind);
          await expectParity(`${s.rows}x${s.cols} ${s.kind}`, x, layout, format,
            { words: q.words, xhat: dequantizeUserCodebook(q), scales: scaling === 'absmax' ? q.scales : undefined });
        }
      });
    }
  }
});

describe('Lloyd-Max per tensor (fp16 codebook fitted on the CPU) matches lloydMax.ts', () => {
  const sources: [string, (rand: Rand, n: number) => number[]][] = [
    ['Student-t', (rand, n) => heavyTailed(rand, n, 0).map((v) => v * 0.02)],
    ['quarter-integer grid (data on midpoints)', (rand, n) => heavyTailed(rand, n, 0).map((v) => Math.round(v * 4) / 4)],
    ['mostly zeros (repeated levels)', (rand, n) => Array.from({ length: n }, () => (rand() < 0.97 ? 0 : rand() - 0.5))],
    ['tiny values (fp16 levels underflow)', (rand, n) => heavyTailed(rand, n, 2).map((v) => v * 1e-7)],
  ];
  for (const [name, gen] of sources) {
    it(name, async () => {
      for (const [k, s] of [shape(61, 67, 'tensor'), shape(256, 384, 'tensor')].entries()) {
        const layout = groupLayout(s.rows, s.cols, s.kind, s.block);
        const x = Float32Array.from(gen(createRng(300 + k), s.rows * s.cols));
        const q = quantizeLloydMax(x, layout, { bits: 4, scope: 'tensor', codebookType: 'fp16' });
        const levels = lloydMaxStoredLevels(x, 4, 'fp16');
        expectSame('stored codebook', bitsOf(Float32Array.from(levels)), bitsOf(q.codebooks));
        const format = tableFormatFor({ kind: 'format', id: 'lloyd-max-4' }, x, layout);
        expect(format?.kind).toBe('codebook');
        await expectParity(`${name} ${s.rows}x${s.cols}`, x, layout, format as TableFormat, { words: q.words, xhat: dequantizeLloydMax(q) });
        // Data exactly at the table's bounds (midpoint ties) and their neighbours.
        const cb = storedCodebook('lloyd-max', levels);
        const direct: TableFormat = { kind: 'codebook', codebook: cb };
        const xd = Float32Array.from(decisionPoints(direct));
        const codes = Array.from(xd, (v) => cb.encode(v));
        await expectParity(`${name} ${s.rows}x${s.cols} at the bounds`, xd, groupLayout(1, xd.length, 'tensor'), direct,
          { words: packCodes(codes, 4), xhat: Float32Array.from(codes, (c) => levels[c]) });
      }
    });
  }
});

// fp16 scale-rounding ties and saturation (2^-25 rounds to 0: kept on the CPU, see the last test).
const FP16_SCALE_TIES = [1 + 2 ** -11, -(1 + 3 * 2 ** -11), 3 * 2 ** -25, 65520, 1e5, 2 ** -20];

describe('log quantizer (absmax mode, log-encoder codebook) matches log2.ts', () => {
  const formats: LogFormat[] = [
    { bits: 4, base: '2', rounding: 'log' }, { bits: 4, base: 'sqrt2', rounding: 'log' },
    { bits: 3, base: '2', rounding: 'linear' }, { bits: 5, base: 'sqrt2', rounding: 'linear' },
  ];
  for (const fmt of formats) {
    for (const scaleType of ['fp16', 'fp32'] as const) {
      it(`${fmt.bits}-bit base ${fmt.base} ${fmt.rounding}, ${scaleType} scales`, async () => {
        const format: TableFormat = { kind: 'absmax', codebook: zeroScaleAsZero(logCodebook(fmt)), scaleType };
        const inner = decisionPoints(format).filter((v) => Math.abs(v) <= 1);
        for (const [k, s] of SHAPES.entries()) {
          const rand = createRng(400 + fmt.bits * 10 + k);
          const layout = groupLayout(s.rows, s.cols, s.kind, s.block);
          const x = new Float32Array(s.rows * s.cols);
          fillGroups(x, layout, (g, len) => {
            switch (g % 6) {
              case 1: return cycle(inner, len, g * 5, [1]); // scale 1: thresholds are exact ties
              case 2: return cycle([0, -0], len, g);
              case 3: { const a = FP16_SCALE_TIES[Math.floor(g / 6) % FP16_SCALE_TIES.length]; return [a, ...Array.from({ length: len - 1 }, () => a * (rand() - 0.5))]; }
              case 4: return cycle(inner, len, g * 3, [-1]).map((v) => v * 2 ** -12);
              default: return heavyTailed(rand, len, 3);
            }
          });
          expect(hasFlushedScale(x, layout, scaleType)).toBe(false);
          const q = quantizeLog(x, layout, fmt, scaleType);
          await expectParity(`${s.rows}x${s.cols} ${s.kind}`, x, layout, format, { words: q.words, xhat: dequantizeLog(q), scales: q.scales });
        }
      });
    }
  }
  it('log2-4 through tableFormatFor; a group whose fp16 scale rounds to 0 stays on the CPU', () => {
    const layout = groupLayout(4, 256, 'block', 128);
    const x = Float32Array.from(heavyTailed(createRng(9), 1024, 2));
    expect(tableFormatFor({ kind: 'format', id: 'log2-4' }, x, layout)).toMatchObject({ kind: 'absmax', scaleType: 'fp16' });
    x.fill(0, 0, 128);
    x[5] = 2 ** -26;
    expect(tableFormatFor({ kind: 'format', id: 'log2-4' }, x, layout)).toBeNull();
  });
});

describe('LLM-FP4 search (per-tensor ExMy + scale chosen on the CPU) matches llmFp4.ts', () => {
  it('searched format and scale on several tensors', async () => {
    const gens: ((rand: Rand, n: number) => number[])[] = [
      (rand, n) => heavyTailed(rand, n, 0).map((v) => v * 0.02),
      (rand, n) => heavyTailed(rand, n, 3),
      (rand, n) => Array.from({ length: n }, () => (rand() - 0.5) * 1e-30),
      (_rand, n) => new Array<number>(n).fill(0),
    ];
    for (const [k, gen] of gens.entries()) {
      for (const bits of [4, 3, 6]) {
        const layout = groupLayout(45, 77, 'tensor');
        const x = Float32Array.from(gen(createRng(500 + k), 45 * 77));
        const q = quantizeFpSearch(x, bits);
        const format: TableFormat = { kind: 'codebook', codebook: tensorScaledCodebook(q.format, q.scale) };
        if (bits === 4) expect(tableFormatFor({ kind: 'format', id: 'fp4-search' }, x, layout)).toMatchObject({ kind: 'codebook' });
        await expectParity(`tensor ${k}, ${bits} bits (E${q.format.spec.e}M${q.format.spec.m}, scale ${q.scale})`, x, layout, format,
          { words: q.words, xhat: dequantizeFpSearch(q) });
      }
    }
  });
  it('every candidate format at scale 1 (exact ties) and at a clipped scale', async () => {
    for (const fmt of [...fpCandidates(4), ...fpCandidates(5), E2M1, E3M2, fpFormat({ e: 2, m: 2, ieeeSpecials: false })]) {
      for (const clip of [1, 0.73]) {
        const probe: TableFormat = { kind: 'codebook', codebook: tensorScaledCodebook(fmt, 1) };
        const pts = decisionPoints(probe).filter((v) => Math.abs(v) <= fmt.max);
        const rand = createRng(600 + fmt.bits);
        const x = Float32Array.from([fmt.max, ...pts, ...heavyTailed(rand, 500, 2)]);
        const q = quantizeFpFixed(x, fmt, clip);
        const format: TableFormat = { kind: 'codebook', codebook: tensorScaledCodebook(fmt, q.scale) };
        await expectParity(`E${fmt.spec.e}M${fmt.spec.m} clip ${clip}`, x, groupLayout(1, x.length, 'tensor'), format,
          { words: q.words, xhat: dequantizeFpSearch(q) });
      }
    }
  });
});

describe('CPU-side checks of the new element tables', () => {
  it('the tables reproduce the composite encoders on random f32 bit patterns', () => {
    const rand = createRng(8);
    const books = [
      zeroScaleAsZero(userCodebook(USER_BOOKS[0], 'absmax')), userCodebook(USER_BOOKS[4], 'raw'),
      logCodebook({ bits: 4, base: '2', rounding: 'log' }), tensorScaledCodebook(E2M1, 0.0123), tensorScaledCodebook(E3M2, 0),
    ];
    for (const cb of books) {
      const t = tableFor({ kind: 'codebook', codebook: cb });
      for (let k = 0; k < 3000; k++) {
        const bits = Math.floor(rand() * 2 ** 32);
        const v = bitsF32(bits);
        if (!Number.isFinite(v)) continue;
        let idx = 0;
        while (idx < t.bounds.length && t.bounds[idx] <= f32Key(bits)) idx++;
        expect(t.codes[idx], `${cb.id}: x = ${v}`).toBe(cb.encode(v));
      }
    }
  });
  it('a raw codebook with f32-subnormal levels runs on the GPU: plain mode compares the input bits', async () => {
    const levels = [-1e-39, 0, 1e-39, 3e-38, 1];
    const xs = [...Array.from({ length: 200 }, (_, i) => (i - 100) * 2e-41), 5e-40, -5e-40, 2 ** -149, -(2 ** -149), 0, -0, 0.5, 2];
    const x = Float32Array.from(xs);
    const layout = groupLayout(1, x.length, 'tensor');
    const format = tableFormatFor({ kind: 'codebook', levels, scaling: 'raw' }, x, layout);
    expect(format?.kind).toBe('codebook');
    const q = quantizeUserCodebook(x, layout, levels, 'raw');
    await expectParity('subnormal raw codebook', x, layout, format as TableFormat, { words: q.words, xhat: dequantizeUserCodebook(q) });
  });
});
