// tests: the transform registry and the base-format closure (src/quant/transforms/{registry,base}.ts).
import { describe, expect, it } from 'vitest';
import { bitsPerWeightOf, layoutFor, quantizeWith } from '../../src/quant/apply';
import { baseQuantizer, indexBits, toFp16 } from '../../src/quant/transforms/base';
import { applyTransform, TRANSFORMS, transformDescriptor } from '../../src/quant/transforms/registry';
import { bitsOf, weights } from './transforms-fixtures';

const rows = 32, cols = 64;
const w = weights(rows, cols, 'student-t', 2, 10);

describe('base quantizer', () => {
  it('is quantizeWith under layoutFor, with the format\'s storage and code width', () => {
    const choice = { kind: 'format', id: 'q4_0' } as const;
    const q = baseQuantizer(choice, 'block', 64);
    const layout = layoutFor(choice, rows, cols, 'block', 64);
    expect(bitsOf(q(w, rows, cols))).toEqual(bitsOf(quantizeWith(w, layout, choice).xhat));
    expect(q.bits(rows, cols)).toBe(bitsPerWeightOf(choice, rows * cols, layout.groupCount) * rows * cols);
    expect(q.codeBits).toBe(4);
    expect(baseQuantizer({ kind: 'codebook', levels: [-1, 0, 0.5, 1, 2], scaling: 'absmax' }, 'row', 0).codeBits).toBe(3);
  });

  it('index bits and fp16 rounding', () => {
    expect([1, 2, 3, 1024, 1025].map(indexBits)).toEqual([1, 1, 2, 10, 11]);
    expect(toFp16(1 / 3)).toBe(0.333251953125);
    expect(toFp16(1e6)).toBe(65504); // saturates
  });
});

describe('transform registry', () => {
  it('describes every method for the UI', () => {
    expect(TRANSFORMS.map((t) => t.method)).toEqual(['none', 'hadamard', 'retention', 'reorder', 'splitquant', 'lowrank', 'clip-search', 'vq']);
    for (const t of TRANSFORMS) {
      expect(t.label.length).toBeGreaterThan(3);
      expect(t.explanation.length).toBeGreaterThan(20);
      expect(t.method === 'none' || /arXiv \d{4}\.\d{5}/.test(t.source)).toBe(true);
      expect(transformDescriptor(t.method)).toBe(t);
    }
  });

  it('applies every method with its defaults and accounts bits consistently', () => {
    const q = baseQuantizer({ kind: 'int', params: { bits: 4, mode: 'sym', scale: 'fp16' } }, 'block', 32);
    for (const t of TRANSFORMS) {
      const r = applyTransform({ method: t.method, params: t.defaults } as Parameters<typeof applyTransform>[0], w, rows, cols, q);
      expect(r.xhat.length).toBe(rows * cols);
      expect(r.xhat.every(Number.isFinite)).toBe(true);
      expect(r.bitsPerWeight).toBeCloseTo((r.baseBits + r.extraBits) / (rows * cols), 12);
      expect(JSON.parse(JSON.stringify(r.info))).toBeTypeOf('object');
    }
    const none = applyTransform({ method: 'none', params: {} }, w, rows, cols, q);
    expect(bitsOf(none.xhat)).toEqual(bitsOf(q(w, rows, cols)));
  });
});
