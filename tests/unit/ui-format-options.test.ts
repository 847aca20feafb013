// tests (ui): the registry format settings offered for each format (FormatOptionsFields), rendered to static markup.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_SPEC } from '../../src/spec/defaults';
import type { Recipe, RegistryFormat } from '../../src/spec/schema';
import { FormatOptionsFields } from '../../src/ui/FormatOptionsFields';

// Server rendering reads a zustand store's initial state, so the component gets a stand-in store.
const store = vi.hoisted(() => ({ state: { spec: { recipe: null as unknown as Recipe }, setRecipe: () => {} } }));
vi.mock('../../src/state/store', () => ({ useAppStore: <T>(select: (s: typeof store.state) => T): T => select(store.state) }));

function markupFor(format: RegistryFormat): string {
  store.state.spec.recipe = { ...DEFAULT_SPEC.recipe, format };
  return renderToStaticMarkup(createElement(FormatOptionsFields));
}

describe('FormatOptionsFields', () => {
  it('offers scale storage for NF4 (fp32 as defined) and IQ4_NL (fp16 as defined), showing the stored choice', () => {
    const nf4 = markupFor({ kind: 'format', id: 'nf4' });
    expect(nf4).toContain('data-testid="control-format-scale"');
    expect(nf4).toMatch(/<option value="fp32" selected="">fp32 \(32 bits\) · as defined/);
    expect(nf4).not.toContain('control-format-rounding');
    expect(markupFor({ kind: 'format', id: 'iq4_nl' })).toMatch(/<option value="fp16" selected="">fp16 \(16 bits\) · as defined/);
    expect(markupFor({ kind: 'format', id: 'nf3', scale: 'bf16' })).toMatch(/<option value="bf16" selected="">/);
  });
  it('offers rounding (seed when stochastic) and clipping (percentile when chosen) for MX and FP elements only', () => {
    const mx = markupFor({ kind: 'format', id: 'mxfp4' });
    expect(mx).toContain('control-format-rounding');
    expect(mx).toContain('control-format-clip');
    expect(mx).not.toContain('control-format-seed');
    expect(mx).not.toContain('control-format-scale');
    const sr = markupFor({ kind: 'format', id: 'fp8-e4m3', rounding: 'stochastic', seed: 42, clip: { kind: 'percentile', p: 99.5 } });
    expect(sr).toMatch(/data-testid="control-format-seed" value="42"/);
    expect(sr).toMatch(/data-testid="control-format-clip-p" value="99.5"/);
  });
  it('offers nothing for formats without settings (K-quants, NF4 + double quant)', () => {
    expect(markupFor({ kind: 'format', id: 'q4_k' })).toBe('');
    expect(markupFor({ kind: 'format', id: 'nf4-dq' })).toBe('');
  });
});
