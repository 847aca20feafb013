// tests: Hadamard matrices (H Hᵀ = K I), K×2^m factorisation, and the randomized Hadamard rotation against a dense reference with derived f32 bounds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hash2 } from '../../src/lib/hash';
import { createRng, normal } from '../../src/lib/rng';
import { finiteField, primePower } from '../../src/quant/hadamard/field';
import { hadamardConstruction, hadamardMatrix, isSupportedHadamardOrder } from '../../src/quant/hadamard/matrices';
import {
  hadamardOrderFor, type HadamardRotation, hadamardRotation, rotateInputDim, rotateRows, rotateVector, rotationSigns,
  unrotateInputDim, unrotateVector,
} from '../../src/quant/hadamard/rotation';

const U = 2 ** -24; // unit roundoff of f32

function gaussian(n: number, seed: number): Float32Array {
  const rand = createRng(seed);
  return Float32Array.from({ length: n }, () => normal(rand));
}

/** Exact K×K integer H Hᵀ == K I check (entries must be ±1). */
function expectHadamard(h: Int8Array, k: number): void {
  expect(h.length).toBe(k * k);
  expect(h.every((v) => v === 1 || v === -1)).toBe(true);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let dot = 0;
      for (let t = 0; t < k; t++) dot += h[i * k + t] * h[j * k + t];
      if (dot !== (i === j ? k : 0)) expect.fail(`order ${k}: row ${i} · row ${j} = ${dot}`);
    }
  }
}

const popcount = (v: number): number => { let c = 0; for (; v; v &= v - 1) c++; return c; };

/**
 * The rotation as a dense matrix, built independently of the butterflies: entry (i, j) of
 * H_K ⊗ H_P is h[a][c] · (-1)^popcount(b & d) for i = a·P + b, j = c·P + d (Sylvester's closed
 * form), and the signs come straight from hash2. Returns the *unnormalised* product
 * S = (H_K ⊗ H_P) D x per block (forward) or (H_K ⊗ H_P)ᵀ y (inverse, signs applied after), in f64.
 */
function denseUnscaled(x: Float32Array, rot: HadamardRotation, inverse: boolean): Float64Array {
  const { size, block: B, order: K, pow2: P, seed } = rot;
  const h = hadamardMatrix(K);
  const sign = (col: number) => (seed !== null && hash2(seed, col) >>> 31 === 1 ? -1 : 1);
  const out = new Float64Array(x.length);
  for (let base = 0; base < x.length; base += B) {
    for (let i = 0; i < B; i++) {
      const a = Math.floor(i / P), b = i % P;
      let s = 0;
      for (let j = 0; j < B; j++) {
        const c = Math.floor(j / P), d = j % P;
        const kron = (inverse ? h[c * K + a] : h[a * K + c]) * (popcount(b & d) % 2 ? -1 : 1);
        s += kron * x[base + j] * (inverse ? 1 : sign((base + j) % size));
      }
      out[base + i] = s;
    }
  }
  return out;
}

/** The exact rotation (f64, true 1/√B) of `x`. */
function reference(x: Float32Array, rot: HadamardRotation, inverse = false): Float64Array {
  const s = denseUnscaled(x, rot, inverse);
  const signs = rotationSigns(rot);
  return s.map((v, i) => v / Math.sqrt(rot.block) * (inverse ? signs[i % rot.size] : 1));
}

/**
 * Error constant of one rotation: every input term passes through at most log2 P butterfly
 * roundings and K - 1 dense-sum roundings, then the rounding of f32(1/√B) and of the final
 * product, so |ŷ_i - y_i| <= c · ‖x_block‖₁ / √B with c = (log2 P + K + 1) · u to first order
 * (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., §4.2, γ_k = ku/(1 - ku)).
 * The factor 1.02 covers γ's second-order terms (ku < 0.01 here) and the f64 reference's own
 * rounding (≤ B · 2^-53 relative, under 1% of u for B < 10^6).
 */
const errorConstant = (rot: HadamardRotation): number => 1.02 * (Math.log2(rot.pow2) + rot.order + 1) * U;

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, e) => s + e * e, 0));

describe('Hadamard matrices of order K', () => {
  it('every supported order up to 200, and 344 (Paley I over GF(7^3)) and 540 (Paley II, q = 269), is ±1 with H Hᵀ = K I exactly', () => {
    const orders = Array.from({ length: 200 }, (_, i) => i + 1).filter(isSupportedHadamardOrder);
    expect(orders.length).toBeGreaterThan(40);
    for (const k of [...orders, 344, 540]) expectHadamard(hadamardMatrix(k), k);
  });

  it('the orders real model widths need come from the expected construction', () => {
    // 28 = 27 + 1 and 344 = 343 + 1 need the prime-power fields GF(3^3) and GF(7^3).
    expect(hadamardConstruction(12)).toEqual({ kind: 'paley1', q: 11 });
    expect(hadamardConstruction(20)).toEqual({ kind: 'paley1', q: 19 });
    expect(hadamardConstruction(28)).toEqual({ kind: 'paley1', q: 27 });
    expect(hadamardConstruction(36)).toEqual({ kind: 'paley2', q: 17 });
    expect(hadamardConstruction(40)).toEqual({ kind: 'doubling', half: 20 });
    expect(hadamardConstruction(44)).toEqual({ kind: 'paley1', q: 43 });
    expect(hadamardConstruction(76)).toEqual({ kind: 'paley2', q: 37 });
    expect(hadamardConstruction(108)).toEqual({ kind: 'paley1', q: 107 });
    expect(hadamardConstruction(140)).toEqual({ kind: 'paley1', q: 139 });
    expect(hadamardConstruction(344)).toEqual({ kind: 'paley1', q: 343 });
    expect(hadamardConstruction(64)).toEqual({ kind: 'sylvester' });
  });

  it('orders without a construction here throw and name the missing ones', () => {
    // 92 = 4·23: 91 = 7·13 and 45 = 3²·5 are not prime powers, 46 is not a multiple of 4.
    expect(() => hadamardMatrix(92)).toThrow(/order 92.*all but 92/);
    expect(() => hadamardMatrix(172)).toThrow(/all but 92, 116, 156, 172/);
    expect(() => hadamardMatrix(6)).toThrow(/no Hadamard matrix of order 6/i);
    expect(() => hadamardMatrix(2048)).toThrow(/up to 1024/);
  });

  it('the Sylvester matrices are symmetric and the powers of two are Sylvester', () => {
    const h = hadamardMatrix(16);
    for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) expect(h[i * 16 + j]).toBe(popcount(i & j) % 2 ? -1 : 1);
  });
});

describe('finite fields for Paley', () => {
  it('recognises prime powers', () => {
    expect(primePower(343)).toEqual([7, 3]);
    expect(primePower(27)).toEqual([3, 3]);
    expect(primePower(139)).toEqual([139, 1]);
    expect(primePower(1024)).toEqual([2, 10]);
    expect(primePower(12)).toBeNull();
    expect(primePower(1)).toBeNull();
    expect(() => finiteField(15)).toThrow(/not an odd prime power/);
    expect(() => finiteField(8)).toThrow(/not an odd prime power/);
  });

  it.each([3, 7, 9, 25, 27, 49, 343])('GF(%i): half the non-zero elements are squares, chi(-1) follows q mod 4, a - a = 0', (q) => {
    const f = finiteField(q);
    let squares = 0;
    for (let a = 1; a < q; a++) squares += f.chi(a) === 1 ? 1 : 0;
    expect(squares).toBe((q - 1) / 2);
    expect(f.chi(0)).toBe(0);
    expect(f.chi(1)).toBe(1);
    // -1 is a square exactly when q ≡ 1 (mod 4) (Euler's criterion in GF(q)).
    expect(f.chi(f.sub(0, 1))).toBe(q % 4 === 1 ? 1 : -1);
    for (let a = 0; a < q; a++) expect(f.sub(a, a)).toBe(0);
  });
});

describe('hadamardOrderFor: n = K · 2^m with the smallest supported K', () => {
  // Derived by hand: K must be the odd part of n times 2^j with K in {1, 2} or 4 | K, and
  // constructible. 2816 = 11·256: 11, 22 are not Hadamard orders, 44 = 43 + 1 is Paley I.
  // 4864 = 19·256: 76 (Paley II, 37). 8960 = 35·256: 140 (Paley I, 139). 13824 = 27·512: 108
  // (Paley I, 107). 11008 = 43·256: 172 has no construction here, 344 = 7³ + 1 (Paley I).
  it.each([
    [64, 1, 64], [4096, 1, 4096], [768, 12, 64], [3072, 12, 256], [896, 28, 32], [14336, 28, 512], [2816, 44, 64],
    [5632, 44, 128], [4864, 76, 64], [8960, 140, 64], [13824, 108, 128], [11008, 344, 32], [5120, 20, 256], [576, 36, 16],
  ])('%i = %i × %i', (n, order, pow2) => {
    expect(hadamardOrderFor(n)).toEqual({ order, pow2 });
  });

  it('throws with the orders it would need and a block-diagonal fallback', () => {
    // 172 = 43·4: 43 and 86 are no Hadamard orders, 172 is not built; its largest supported divisor is 4.
    expect(() => hadamardOrderFor(172)).toThrow(/order 43 or 86 or 172.*block size 4 /);
    expect(() => hadamardOrderFor(50257)).toThrow(/block size 1 /);
    expect(() => hadamardOrderFor(0)).toThrow(/positive whole size/);
  });
});

describe('rotateRows against the dense definition, exactly on small integers', () => {
  // With integer inputs |x| <= 8 every butterfly and dense sum is an exact integer (|sum| <= 8 · B
  // < 2^24), so the only rounding left is the final f32(S · f32(1/√B)): the result must equal it
  // bit for bit. This pins down the Kronecker layout, the signs and the order of the steps.
  const cases: [string, number, { block?: number; seed?: number | null }][] = [
    ['64, no signs', 64, {}],
    ['64, signs', 64, { seed: 9 }],
    ['48 = 12 × 4, signs', 48, { seed: 3 }],
    ['768 = 12 × 64, signs', 768, { seed: 7 }],
    ['80 = 20 × 4 (Paley I), signs', 80, { seed: 1 }],
    ['144 = 36 × 4 (Paley II), signs', 144, { seed: 2 }],
    ['112 = 28 × 4 (Paley I over GF(27))', 112, { seed: 4 }],
    ['96 in blocks of 24 (12 × 2), signs over the whole row', 96, { block: 24, seed: 5 }],
    ['256 in blocks of 64, no signs', 256, { block: 64 }],
  ];
  it.each(cases)('%s', (_, size, options) => {
    const rot = hadamardRotation(size, options);
    expect(rot.scale).toBe(Math.fround(1 / Math.sqrt(rot.block)));
    const rows = 3;
    const rand = createRng(size);
    const x = Float32Array.from({ length: rows * size }, () => Math.floor(rand() * 17) - 8);
    for (const inverse of [false, true]) {
      const got = rotateRows(x, rows, rot, inverse ? 'inverse' : 'forward');
      const s = denseUnscaled(x, rot, inverse);
      const signs = rotationSigns(rot);
      const want = Float32Array.from(s, (v, i) => Math.fround(v * rot.scale) * (inverse ? signs[i % size] : 1));
      expect(Array.from(got), inverse ? 'inverse' : 'forward').toEqual(Array.from(want));
    }
  });

  it('random signs come from hash2(seed, column) and change with the seed', () => {
    const a = rotationSigns(hadamardRotation(1024, { seed: 1 }));
    const b = rotationSigns(hadamardRotation(1024, { seed: 2 }));
    const negatives = a.filter((v) => v < 0).length;
    // Fair coin flips: 512 ± 5 standard deviations (16).
    expect(Math.abs(negatives - 512)).toBeLessThan(80);
    expect(a.some((v, i) => v !== b[i])).toBe(true);
    expect(rotationSigns(hadamardRotation(64)).every((v) => v === 1)).toBe(true);
  });
});

describe('f32 accuracy of the rotation (bounds derived in errorConstant)', () => {
  it.each([
    [768, { seed: 11 }], [2816, { seed: 12 }], [1024, {}], [3072, { block: 768, seed: 13 }], [4864, { block: 1216, seed: 14 }],
  ] as [number, { block?: number; seed?: number }][])('size %i %o: each element within c·‖x_block‖₁/√B of the exact rotation', (size, options) => {
    const rot = hadamardRotation(size, options);
    const x = gaussian(2 * size, size);
    const c = errorConstant(rot);
    for (const inverse of [false, true]) {
      const got = rotateRows(x, 2, rot, inverse ? 'inverse' : 'forward');
      const want = reference(x, rot, inverse);
      for (let base = 0; base < x.length; base += rot.block) {
        const l1 = x.subarray(base, base + rot.block).reduce((s, v) => s + Math.abs(v), 0);
        const bound = c * l1 / Math.sqrt(rot.block);
        let worst = 0;
        for (let i = base; i < base + rot.block; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        expect(worst, `block at ${base}, ${inverse ? 'inverse' : 'forward'}`).toBeLessThanOrEqual(bound);
      }
    }
  });

  it('a linear layer keeps its output: W\' x\' = W x to the derived f32 bound, and the inverse recovers W', () => {
    // ‖ΔR w‖ <= c √B ‖w‖ per rotated vector (elementwise bound summed over a block, Cauchy-Schwarz
    // ‖·‖₁ <= √B ‖·‖₂), so |w'·x' - w·x| <= ‖Δw'‖‖x'‖ + ‖Rw‖‖Δx'‖ <= c √B (2 + c √B) ‖w‖ ‖x‖,
    // and ‖Rᵀ(R w) - w‖ obeys the same bound. Products are summed in f64 so only the rotation's
    // rounding is measured.
    for (const [rows, cols, seed] of [[16, 768, 21], [8, 2816, 22], [4, 11008, 23]]) {
      const rot = hadamardRotation(cols, { seed });
      const w = gaussian(rows * cols, seed);
      const x = gaussian(cols, seed + 100);
      const w2 = rotateInputDim(w, rows, cols, rot);
      const x2 = rotateVector(x, rot);
      const k = errorConstant(rot) * Math.sqrt(cols);
      const bound = k * (2 + k);
      const wBack = unrotateInputDim(w2, rows, cols, rot);
      for (let r = 0; r < rows; r++) {
        const wr = w.subarray(r * cols, (r + 1) * cols);
        let y = 0, y2 = 0;
        for (let j = 0; j < cols; j++) { y += wr[j] * x[j]; y2 += w2[r * cols + j] * x2[j]; }
        expect(Math.abs(y2 - y), `row ${r} of ${cols}`).toBeLessThanOrEqual(bound * norm(wr) * norm(x));
        const diff = norm(wr.map((v, j) => v - wBack[r * cols + j]));
        expect(diff, `W back, row ${r}`).toBeLessThanOrEqual(bound * norm(wr));
      }
      const xBack = unrotateVector(x2, rot);
      expect(norm(x.map((v, j) => v - xBack[j]))).toBeLessThanOrEqual(bound * norm(x));
    }
  });

  it('the plain Sylvester rotation is its own inverse: inverse == forward bit for bit, and twice ≈ identity', () => {
    const rot = hadamardRotation(4096);
    const x = gaussian(4096, 5);
    const once = rotateVector(x, rot);
    expect(Array.from(unrotateVector(x, rot))).toEqual(Array.from(once));
    const twice = rotateVector(once, rot);
    const k = errorConstant(rot) * 64;
    expect(norm(twice.map((v, i) => v - x[i]))).toBeLessThanOrEqual(k * (2 + k) * norm(x));
  });

  it('property: over sizes K × 2^m, blocks and seeds, the rotation keeps norms and the inverse undoes it', () => {
    const orders = [1, 12, 20, 28, 36, 40, 44, 52, 60];
    fc.assert(fc.property(
      fc.constantFrom(...orders), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 3 }),
      fc.option(fc.nat(), { nil: null }), fc.nat(),
      (order, m, blocks, seed, dataSeed) => {
        const block = order * 2 ** m;
        const rot = hadamardRotation(block * blocks, { block, seed });
        expect(rot.order * rot.pow2).toBe(block);
        const x = gaussian(rot.size, dataSeed);
        const y = rotateVector(x, rot);
        const k = errorConstant(rot) * Math.sqrt(block);
        expect(Math.abs(norm(y) - norm(x))).toBeLessThanOrEqual(k * norm(x));
        const back = unrotateVector(y, rot);
        expect(norm(back.map((v, i) => v - x[i]))).toBeLessThanOrEqual(k * (2 + k) * norm(x));
      },
    ), { numRuns: 40 });
  });
});

describe('rotation arguments', () => {
  it('reject shapes and options with a message that says what to do', () => {
    expect(() => hadamardRotation(96, { block: 40 })).toThrow(/does not divide the dimension 96.*e\.g\. 96/);
    expect(() => hadamardRotation(64, { seed: -1 })).toThrow(/seed must be a whole number/);
    expect(() => hadamardRotation(64, { seed: 1.5 })).toThrow(/seed must be a whole number/);
    const rot = hadamardRotation(64);
    expect(() => rotateRows(new Float32Array(100), 2, rot)).toThrow(/expected 2 rows of 64 values \(128\), got 100/);
    expect(() => rotateInputDim(new Float32Array(128), 4, 32, rot)).toThrow(/32 inputs but the rotation is of size 64/);
  });
});
