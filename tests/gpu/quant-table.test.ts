// tests: quant_table.wgsl (FP8/FP6/FP4, MX, NVFP4, absmax codebooks) against src/quant/formats, bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTableQuant, f32Key, kernelElementOptions, type TableFormat, tableFor } from '../../src/gpu/kernels/quantTable';
import { bitsF32, f32Bits } from '../../src/lib/f32';
import type { ElementOptions } from '../../src/quant/formats/elementOptions';
import { readBuffers } from '../../src/gpu/readback';
import { type GpuRuntime, uploadStorage } from '../../src/gpu/runtime';
import { shaderSource } from '../../src/gpu/shaders';
import { type GroupKind, type GroupLayout, groupLayout, groupIndices } from '../../src/quant/groups';
import { packCodes } from '../../src/quant/pack';
import { dequantizeAbsmax, quantizeAbsmax, type ScaleType } from '../../src/quant/formats/absmax';
import { FP4_BNB, NF2, NF3, NF4 } from '../../src/quant/formats/codebooks';
import { E2M1, E2M3, E3M2, E4M3, E5M2, type FpFormat } from '../../src/quant/formats/fp';
import { MX_ELEMENTS, dequantizeMx, quantizeMx } from '../../src/quant/formats/mx';
import { dequantizeNvfp4, quantizeNvfp4 } from '../../src/quant/formats/nvfp4';
import { dequantizeScaledFp, quantizeScaledFp } from '../../src/quant/formats/scaledFp';
import { createRng, studentT } from '../../src/lib/rng';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

type Rand = () => number;

/** Student-t(3) values at random binary magnitudes 2^[-spread, spread]. */
function heavyTailed(rand: Rand, n: number, spread: number): number[] {
  return Array.from({ length: n }, () => studentT(rand, 3) * 2 ** Math.round((rand() * 2 - 1) * spread));
}

const nextUp = (v: number): number => bitsF32(v >= 0 ? f32Bits(v) + (Object.is(v, -0) ? -0x80000000 + 1 : 1) : f32Bits(v) - 1);
const nextDown = (v: number): number => -nextUp(-v);

/**
 * The decision points of a format, in encoder units: every representable level, the first value of
 * each interval of the GPU table (exact ties included: RNE midpoints, bitsandbytes thresholds), and
 * their f32 neighbours, with both signs.
 */
function decisionPoints(format: TableFormat): number[] {
  const t = tableFor(format);
  const out: number[] = [];
  for (const key of t.bounds) {
    const v = bitsF32(key & 0x80000000 ? key & 0x7fffffff : ~key >>> 0);
    out.push(v, nextUp(v), nextDown(v));
  }
  for (const b of t.levels) if (Number.isFinite(bitsF32(b))) out.push(bitsF32(b));
  return [...out, ...out.map((v) => -v), 0, -0].filter((v) => Number.isFinite(v));
}

/** Fills `x` block by block: random blocks, special blocks scaled so each decision point is exact. */
function fillBlocks(x: Float32Array, layout: GroupLayout, block: (g: number, len: number) => number[]): void {
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    const vals = block(g, idx.length);
    idx.forEach((i, k) => { x[i] = vals[k]; });
  }
}

/** Takes `len` values from `pool` starting at a rotating offset, with `head` first. */
function cycle(pool: number[], len: number, offset: number, head: number[] = []): number[] {
  const out = head.slice(0, len);
  for (let k = out.length; k < len; k++) out.push(pool[(offset + k) % pool.length]);
  return out;
}

interface GpuResult { words: Uint32Array; xhat: Uint32Array; groups: Uint32Array; tensor: Uint32Array }

async function runGpu(x: Float32Array, layout: GroupLayout, format: TableFormat): Promise<GpuResult> {
  const enc = rt.device.createCommandEncoder({ label: 'test.quant_table' });
  const xb = uploadStorage(rt, x, 'test.x');
  const q = encodeTableQuant(rt, enc, xb, x.length, layout, format);
  const [words, xhat, groups, tensor] = await readBuffers(rt.device, enc, [q.words, q.xhat, q.groups, q.tensor]);
  void rt.pool.releaseAfterSubmit([xb, ...Object.values(q)]);
  return {
    words: new Uint32Array(words),
    xhat: new Uint32Array(xhat, 0, x.length),
    groups: new Uint32Array(groups, 0, 2 * layout.groupCount),
    tensor: new Uint32Array(tensor),
  };
}

/** Exact equality of two u32 arrays with a readable first mismatch. */
function expectSame(what: string, gpu: ArrayLike<number>, ref: ArrayLike<number>, input?: (i: number) => string): void {
  expect(gpu.length, `${what}: length`).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    if (gpu[i] !== ref[i]) {
      const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;
      expect.fail(`${what}[${i}]: gpu ${hex(gpu[i])} != cpu ${hex(ref[i])}${input ? ` (${input(i)})` : ''}`);
    }
  }
}

const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

interface Shape { rows: number; cols: number; kind: GroupKind; block: number }
const shape = (rows: number, cols: number, kind: GroupKind, block = 0): Shape => ({ rows, cols, kind, block });

/** Runs GPU and CPU on each shape and compares codes, stored scales and dequantized values. */
async function checkParity(
  format: TableFormat | ((x: Float32Array) => TableFormat), shapes: Shape[], seed: number,
  fill: (x: Float32Array, layout: GroupLayout, rand: Rand) => void,
  cpu: (x: Float32Array, layout: GroupLayout) => { words: Uint32Array; xhat: Float32Array; scales?: Uint32Array; tensor?: number },
): Promise<void> {
  for (const [k, s] of shapes.entries()) {
    const layout = groupLayout(s.rows, s.cols, s.kind, s.block);
    const x = new Float32Array(s.rows * s.cols);
    fill(x, layout, createRng(seed * 100 + k));
    const where = `${s.rows}x${s.cols} ${s.kind} ${s.block}`;
    const gpu = await runGpu(x, layout, typeof format === 'function' ? format(x) : format);
    const ref = cpu(x, layout);
    const input = (i: number) => `x = ${x[i]}`;
    expectSame(`${where} words`, gpu.words, ref.words);
    if (ref.scales) expectSame(`${where} scales`, gpu.groups.filter((_, k) => k % 2 === 0), ref.scales);
    if (ref.tensor !== undefined) expect(gpu.tensor[1], `${where} tensor scale`).toBe(f32Bits(ref.tensor));
    expectSame(`${where} xhat`, gpu.xhat, bitsOf(ref.xhat), input);
  }
}

// Shapes that are not multiples of the workgroup (256) or the block size.
const FREE_SHAPES = [shape(37, 53, 'block', 16), shape(129, 65, 'row'), shape(33, 70, 'column'), shape(50, 41, 'block', 64)];

describe('quant_table: plain element formats match fp.ts encode/decode', () => {
  const formats: [string, FpFormat][] = [['E4M3', E4M3], ['E5M2', E5M2], ['E3M2', E3M2], ['E2M3', E2M3], ['E2M1', E2M1]];
  for (const [name, fmt] of formats) {
    it(`FP ${name}: every level, tie, neighbour, saturation and random value`, async () => {
      const format: TableFormat = { kind: 'fp', format: fmt };
      const specials = [...decisionPoints(format), fmt.max * 1.25, -fmt.max * 3, 1e30, -1e30, 3.4e38, 1e-40, -1e-40, fmt.minSubnormal / 2];
      await checkParity(format, [shape(61, 67, 'tensor'), shape(3, 5, 'tensor')], fmt.bits, (x, _l, rand) => {
        const r = heavyTailed(rand, x.length, fmt.emax + 4);
        x.set(x.length > specials.length ? [...specials, ...r.slice(specials.length)] : r);
      }, (x) => {
        const codes = Array.from(x, fmt.encode);
        return { words: packCodes(codes, fmt.bits), xhat: Float32Array.from(codes, fmt.decode) };
      });
    });
  }
});

describe('quant_table: element formats with an fp32 absmax scale match scaledFp.ts', () => {
  for (const fmt of [E4M3, E5M2, E3M2, E2M3, E2M1]) {
    it(`scaled E${fmt.spec.e}M${fmt.spec.m}`, async () => {
      const format: TableFormat = { kind: 'scaled-fp', format: fmt };
      const points = decisionPoints(format).filter((v) => Math.abs(v) <= fmt.max);
      await checkParity(format, FREE_SHAPES, 10 + fmt.bits, (x, layout, rand) => fillBlocks(x, layout, (g, len) => {
        if (g % 5 === 1) return cycle(points, len, g * 7, [fmt.max]); // scale exactly 1: ties stay ties
        if (g % 5 === 3) return cycle([0, -0], len, 0);
        return heavyTailed(rand, len, 3);
      }), (x, layout) => {
        const q = quantizeScaledFp(x, layout, fmt);
        return { words: q.words, scales: bitsOf(q.scales), xhat: dequantizeScaledFp(q) };
      });
    });
  }
});

const MX_SHAPES = [shape(37, 75, 'block', 32), shape(9, 300, 'block', 32), shape(40, 33, 'column')];

describe('quant_table: MX block formats match mx.ts (E8M0 scales, OCP MX v1.0 §6.3)', () => {
  for (const [name, el] of Object.entries(MX_ELEMENTS)) {
    it(`${name}: scales, codes and values`, async () => {
      const format: TableFormat = { kind: 'mx', element: el };
      const points = decisionPoints(format).filter((v) => Math.abs(v) < 2 ** (el.emax + 1));
      await checkParity(format, MX_SHAPES, 20 + el.bits + el.emax, (x, layout, rand) => fillBlocks(x, layout, (g, len) => {
        const s = 2 ** Math.round((rand() * 2 - 1) * 30);
        switch (g % 6) {
          case 1: return cycle(points, len, g * 11, [el.max]).map((v) => v * s); // exp = log2(s): exact ties
          case 2: return cycle(points, len, g * 5, [-(2 ** (el.emax + 1)) * 0.99]).map((v) => v * s); // saturation
          case 3: return cycle([0, -0], len, g);
          case 4: return heavyTailed(rand, len, 2).map((v) => v * 2 ** -135); // f32 subnormals, scale clamped to 2^-127
          case 5: return heavyTailed(rand, len, 2).map((v) => v * 1e34);
          default: return heavyTailed(rand, len, 6);
        }
      }), (x, layout) => {
        const q = quantizeMx(x, layout, el);
        return { words: q.words, scales: Uint32Array.from(q.scales), xhat: dequantizeMx(q) };
      });
    });
  }
});

describe('quant_table: seeded stochastic rounding and percentile clip of the scaled FP and MX formats match elementOptions.ts', () => {
  const cases: [string, ElementOptions][] = [
    ['stochastic, seed 7', { rounding: 'stochastic', seed: 7 }],
    ['stochastic, seed 0xffffffff, clip p99', { rounding: 'stochastic', seed: 0xffffffff, clip: { kind: 'percentile', p: 99 } }],
    ['nearest, clip p95', { clip: { kind: 'percentile', p: 95 } }],
  ];
  for (const [name, options] of cases) {
    it(`scaled FP (every ExMy), ${name}: codes, clipped scales and values`, async () => {
      for (const fmt of [E4M3, E5M2, E3M2, E2M3, E2M1]) {
        const points = decisionPoints({ kind: 'scaled-fp', format: fmt }).filter((v) => Math.abs(v) <= fmt.max);
        await checkParity((x) => ({ kind: 'scaled-fp', format: fmt, options: kernelElementOptions(x, options) }), FREE_SHAPES.slice(0, 2), 30 + fmt.bits, (x, layout, rand) => fillBlocks(x, layout, (g, len) => {
          if (g % 4 === 1) return cycle(points, len, g * 7, [fmt.max]); // scale 1: on-grid values and midpoints
          if (g % 4 === 3) return cycle([0, -0, 1e-30, -1e-30], len, g); // tiny neighbours of zero
          return heavyTailed(rand, len, 3);
        }), (x, layout) => {
          const q = quantizeScaledFp(x, layout, fmt, options);
          return { words: q.words, scales: bitsOf(q.scales), xhat: dequantizeScaledFp(q) };
        });
      }
    });
    it(`MX (every element type), ${name}: codes, clipped E8M0 scales and values`, async () => {
      for (const el of Object.values(MX_ELEMENTS)) {
        const points = decisionPoints({ kind: 'mx', element: el }).filter((v) => Math.abs(v) < 2 ** (el.emax + 1));
        await checkParity((x) => ({ kind: 'mx', element: el, options: kernelElementOptions(x, options) }), MX_SHAPES.slice(0, 2), 40 + el.bits + el.emax, (x, layout, rand) => fillBlocks(x, layout, (g, len) => {
          const s = 2 ** Math.round((rand() * 2 - 1) * 30);
          if (g % 4 === 1) return cycle(points, len, g * 11, [el.max]).map((v) => v * s);
          if (g % 4 === 2) return heavyTailed(rand, len, 2).map((v) => v * 2 ** -135); // f32 subnormals
          return heavyTailed(rand, len, 6);
        }), (x, layout) => {
          const q = quantizeMx(x, layout, el, options);
          return { words: q.words, scales: Uint32Array.from(q.scales), xhat: dequantizeMx(q) };
        });
      }
    });
  }
});

describe('quant_table: NVFP4 matches nvfp4.ts (tensor amax, E4M3 block scales)', () => {
  it('NVFP4: tensor scale, block scales, codes and values', async () => {
    const format: TableFormat = { kind: 'nvfp4' };
    const points = decisionPoints(format).filter((v) => Math.abs(v) <= 6);
    const e4m3 = E4M3.values.filter((v) => v >= 2 ** -6);
    const shapes = [shape(37, 75, 'block', 16), shape(64, 100, 'block', 16), shape(5, 7, 'block', 16)];
    await checkParity(format, shapes, 40, (x, layout, rand) => fillBlocks(x, layout, (g, len) => {
      if (g === 0) return cycle(points.map((v) => v * 448), len, 0, [2688]); // tensor scale 1, block scale 448: exact ties
      const s8 = e4m3[Math.floor(rand() * e4m3.length)];
      switch (g % 5) {
        case 1: return cycle(points, len, g * 3, [-6]).map((v) => v * s8); // total = s8: exact ties
        case 2: return cycle([0, -0], len, g);
        case 3: return heavyTailed(rand, len, 2).map((v) => v * 1e-4); // block scale clamped to 2^-6
        case 4: { // block scale an exact E4M3 tie (tensor scale 1): 1 + 2^-4, 1 + 3 * 2^-4, 2^-6 (1 + 2^-4)
          const a = 6 * [1 + 2 ** -4, 1 + 3 * 2 ** -4, 2 ** -6 * (1 + 2 ** -4), 2 ** -6 * (1 + 3 * 2 ** -4)][Math.floor(g / 5) % 4];
          return [a, ...Array.from({ length: len - 1 }, () => a * (rand() - 0.5))];
        }
        default: return heavyTailed(rand, len, 4);
      }
    }), (x, layout) => {
      const q = quantizeNvfp4(x, layout);
      return { words: q.words, scales: Uint32Array.from(q.blockScales), tensor: q.tensorScale, xhat: dequantizeNvfp4(q) };
    });
  });
  it('NVFP4: tiny tensor whose small blocks get an f32-subnormal total scale', async () => {
    // tensorScale ~ 2^-121; small blocks: bmax / 6 flushes, block scale 2^-6, total ~ 2^-127 (subnormal).
    await checkParity({ kind: 'nvfp4' }, [shape(20, 48, 'block', 16)], 42, (x, layout, rand) => fillBlocks(x, layout, (g, len) =>
      Array.from({ length: len }, (_, k) => (g % 2 ? (rand() - 0.5) * 2 ** -108.6 : (k % 2 ? -1 : 1) * 2 ** -126 * (1 + rand() * 1.9)))), (x, layout) => {
      const q = quantizeNvfp4(x, layout);
      return { words: q.words, scales: Uint32Array.from(q.blockScales), tensor: q.tensorScale, xhat: dequantizeNvfp4(q) };
    });
  });
  it('NVFP4: a tensor so small its tensor scale is floored at 2^-126', async () => {
    await checkParity({ kind: 'nvfp4' }, [shape(4, 32, 'block', 16)], 43, (x, _l, rand) => x.set(Array.from({ length: x.length }, () => (rand() - 0.5) * 2e-36)), (x, layout) => {
      const q = quantizeNvfp4(x, layout);
      expect(q.tensorScale).toBe(2 ** -126);
      return { words: q.words, scales: Uint32Array.from(q.blockScales), tensor: q.tensorScale, xhat: dequantizeNvfp4(q) };
    });
  });
  it('NVFP4: random tensor (tensor scale not a power of two)', async () => {
    await checkParity({ kind: 'nvfp4' }, [shape(97, 130, 'block', 16)], 41, (x, _l, rand) => x.set(heavyTailed(rand, x.length, 5)), (x, layout) => {
      const q = quantizeNvfp4(x, layout);
      return { words: q.words, scales: Uint32Array.from(q.blockScales), tensor: q.tensorScale, xhat: dequantizeNvfp4(q) };
    });
  });
});

// Ties of fp16 (1 + 2^-11, 1 + 3 * 2^-11, subnormal 2^-25 and 3 * 2^-25) and bf16 (1 + 2^-8, 1 + 3 * 2^-8,
// f32-subnormal 3 * 2^-134) scale rounding, 65520 (fp16: halfway from 65504 to 65536, saturates), and
// an f32-subnormal absmax 3 * 2^-128 whose inverse is finite.
const SCALE_TIES = [1 + 2 ** -11, -(1 + 3 * 2 ** -11), 2 ** -25, 3 * 2 ** -25, 1 + 2 ** -8, -(1 + 3 * 2 ** -8), 3 * 2 ** -134, 65520, 3 * 2 ** -128];

describe('quant_table: absmax codebooks match absmax.ts (no double quant)', () => {
  for (const cb of [NF4, FP4_BNB, NF3, NF2]) {
    for (const scaleType of ['fp32', 'fp16', 'bf16'] as ScaleType[]) {
      it(`${cb.id} with ${scaleType} scales`, async () => {
        const format: TableFormat = { kind: 'absmax', codebook: cb, scaleType };
        const points = decisionPoints(format).filter((v) => Math.abs(v) <= 1);
        const shapes = [shape(37, 75, 'block', 64), shape(1, 1000, 'block', 64), shape(29, 40, 'column')];
        await checkParity(format, shapes, 50 + cb.bits, (x, layout, rand) => fillBlocks(x, layout, (g, len) => {
          switch (g % 8) {
            case 7: { // the absmax is an exact tie of the fp16 or bf16 scale rounding
              const a = SCALE_TIES[Math.floor(g / 8) % SCALE_TIES.length];
              return [a, ...Array.from({ length: len - 1 }, () => a * (rand() - 0.5))];
            }
            case 1: return cycle(points, len, g * 13, [1]); // scale 1: thresholds are exact ties
            case 2: return cycle(points, len, g * 3, [-1]).map((v) => v * 2 ** -20);
            case 3: return cycle([0, -0], len, g);
            case 4: return heavyTailed(rand, len, 1).map((v) => v * 1e-9); // fp16 scale 0: x * inf
            case 5: return heavyTailed(rand, len, 1).map((v) => v * 1e5); // fp16 scale saturates at 65504
            case 6: return cycle([2 ** -100, -(2 ** -100), -(2 ** -125), 2 ** -125, -(2 ** -149), 2 ** -130], len, g, [2 ** 30]); // x * inv below 2^-126
            default: return heavyTailed(rand, len, 4);
          }
        }), (x, layout) => {
          const q = quantizeAbsmax(x, layout, cb, scaleType);
          return { words: q.words, scales: bitsOf(q.scales), xhat: dequantizeAbsmax(q) };
        });
      });
    }
  }
});

describe('quant_table: element tables', () => {
  it('the shader compiles without errors or warnings', async () => {
    const info = await rt.device.createShaderModule({ label: 'test.quant_table', code: shaderSource('quant_table') }).getCompilationInfo();
    expect(info.messages.map((m) => `${m.type}: ${m.message}`)).toEqual([]);
  });
  it('reproduce the CPU encoders on random f32 bit patterns (CPU-side check of the bisection)', () => {
    const rand = createRng(7);
    const formats: [TableFormat, (x: number) => number][] = [
      [{ kind: 'fp', format: E4M3 }, E4M3.encode], [{ kind: 'fp', format: E5M2 }, E5M2.encode],
      [{ kind: 'mx', element: MX_ELEMENTS.mxint8 }, MX_ELEMENTS.mxint8.encode],
      [{ kind: 'absmax', codebook: NF4, scaleType: 'fp32' }, NF4.encode],
      [{ kind: 'absmax', codebook: FP4_BNB, scaleType: 'fp32' }, FP4_BNB.encode],
    ];
    for (const [format, encode] of formats) {
      const t = tableFor(format);
      for (let k = 0; k < 5000; k++) {
        const bits = Math.floor(rand() * 2 ** 32);
        const v = bitsF32(bits);
        if (!Number.isFinite(v)) continue;
        const key = f32Key(bits);
        let idx = 0;
        while (idx < t.bounds.length && t.bounds[idx] <= key) idx++;
        expect(t.codes[idx], `x = ${v}`).toBe(encode(v));
      }
    }
  });
});
