// tests (gpu): `lowbit run --backend webgpu` (Dawn) and `--backend cpu` on the same links: the same checksum, exact discrete numbers, sums within the documented tolerance.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, SYNTHETIC_SPEC } from '../../src/spec/defaults';
import { encodeLink } from '../../src/spec/link';
import { PRESETS } from '../../src/spec/presets';
import type { ExperimentSpec } from '../../src/spec/schema';
import { buildCli, runBin } from '../support/cliBuild';

/**
 * docs/CLI.md: metrics from error sums may differ by 1e-5 relative between backends: the GPU sums
 * in f32 in a tree order (error bound about log2(n)·2^-24, 1.2e-6 relative for a million weights),
 * the CPU in another order; kurtosis adds fourth powers. Measured here: at most 2.1e-7.
 */
const SUM_TOLERANCE = 1e-5;
/** Metrics that both backends derive from the same integers (max |e|, histogram counts, group counts): equal. */
const EXACT = ['maxAbsErr', 'p99AbsErr', 'p999AbsErr', 'bitsPerWeight', 'storageBytes'];
const FROM_SUMS = ['mse', 'rmse', 'sqnrDb', 'cosine', 'relFrobenius', 'kurtosis'];

const synthetic = (recipe: ExperimentSpec['recipe']): ExperimentSpec => ({ ...SYNTHETIC_SPEC, source: { ...SYNTHETIC_SPEC.source, rows: 256, cols: 512, distribution: 'student-t' }, recipe });

describe('lowbit run on WebGPU and on the CPU reference', () => {
  beforeAll(buildCli, 60_000);

  const specs: [string, ExperimentSpec][] = [
    ['default view (embedded model, INT4 block 64)', DEFAULT_SPEC],
    ...['llama-q4_k', 'bnb-nf4', 'mxfp4', 'nvfp4', 'gptq-int4-g128-mse'].map((id): [string, ExperimentSpec] => {
      const preset = PRESETS.find((p) => p.id === id);
      if (!preset) throw new Error(`preset ${id} is gone`);
      return [`synthetic, ${preset.label}`, synthetic(preset.recipe)];
    }),
  ];

  it.each(specs)('%s: same checksum and numbers', async (_name, spec) => {
    const link = `#${await encodeLink(spec)}`;
    const run = (backend: string) => {
      const r = runBin(['run', link, '--json', '--backend', backend]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { backend: string; checksum: string; metrics: Record<string, number> };
    };
    const gpu = run('webgpu'), cpu = run('cpu');
    expect(gpu.backend).toBe('webgpu');
    expect(cpu.backend).toBe('cpu');
    expect(gpu.checksum).toBe(cpu.checksum);
    for (const k of EXACT) expect(gpu.metrics[k], k).toBe(cpu.metrics[k]);
    for (const k of FROM_SUMS) expect(Math.abs(gpu.metrics[k] - cpu.metrics[k]), k).toBeLessThanOrEqual(SUM_TOLERANCE * Math.abs(cpu.metrics[k]));
  });
});
