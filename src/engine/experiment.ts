// engine: turns an experiment spec into a TensorResult with whichever backend is in use.
import { syntheticMatrix, outlierColumns } from '../model/synthetic';
import { bitsPerWeightOf, layoutFor } from '../quant/apply';
import { groupLayout } from '../quant/groups';
import { errorMetrics } from '../quant/metrics';
import { formatChoice } from '../spec/formatChoice';
import type { ExperimentSpec, SyntheticSource } from '../spec/schema';
import { inputAnatomy } from './anatomy';
import type { QuantBackend } from './backend';
import type { ModelCache } from './models';
import { withTransform } from './transformRun';
import type { ResultSubject, TensorResult } from './types';

/** Reports a stage name and a fraction in [0, 1]. */
export type ProgressFn = (fraction: number, stage: string) => void;

/** Thrown when a run is superseded or cancelled; the worker answers `cancelled`. */
export class CancelledError extends Error {
  constructor() { super('cancelled'); this.name = 'CancelledError'; }
}

/** Keeps the last generated tensor: recipe changes must not regenerate a 1M-element source. */
export function createSourceCache(): (src: SyntheticSource) => Float32Array {
  let key = '';
  let tensor: Float32Array = new Float32Array(0);
  return (src) => {
    const k = JSON.stringify(src);
    if (k !== key) { tensor = syntheticMatrix(src); key = k; }
    return tensor;
  };
}

/** Where a run's tensor comes from: the synthetic generator and, for model sources, the open models. */
export interface TensorSources {
  readonly synthetic: (src: SyntheticSource) => Float32Array;
  readonly models: ModelCache | null;
}

/** "model.safetensors 1.2 of 4.0 MB" */
function bytesStage(label: string, loaded: number, total: number): string {
  const mb = (n: number) => (n / 1e6).toFixed(n < 1e7 ? 1 : 0);
  return total > 0 ? `reading ${label}: ${mb(loaded)} of ${mb(total)} MB` : `reading ${label}: ${mb(loaded)} MB`;
}

/** The tensor of `spec` as a row-major matrix, with what it is. Model reads report bytes in the first 30 %. */
async function tensorOf(spec: ExperimentSpec, sources: TensorSources, onProgress: ProgressFn) {
  const src = spec.source;
  if (src.kind === 'synthetic') {
    onProgress(0, 'generating tensor');
    const subject: ResultSubject = { kind: 'synthetic', outlierColumns: outlierColumns(src) };
    return { x: sources.synthetic(src), rows: src.rows, cols: src.cols, subject };
  }
  if (!sources.models) throw new Error('this engine cannot open models');
  onProgress(0, 'opening the model');
  const m = await sources.models.matrix(src, ({ label, loaded, total }) =>
    onProgress(total > 0 ? 0.3 * (loaded / total) : 0, bytesStage(label, loaded, total)));
  const subject: ResultSubject = { kind: 'model', tensor: m.tensor, model: m.summary };
  return { x: m.x, rows: m.rows, cols: m.cols, subject };
}

/** Runs one spec end to end. `isCancelled` is polled between stages. */
export async function runExperiment(
  spec: ExperimentSpec,
  backend: QuantBackend,
  sources: TensorSources,
  onProgress: ProgressFn = () => {},
  isCancelled: () => boolean = () => false,
): Promise<TensorResult> {
  const started = performance.now();
  const check = () => { if (isCancelled()) throw new CancelledError(); };
  const { x, rows, cols, subject } = await tensorOf(spec, sources, onProgress);
  check();
  const { granularity } = spec.recipe;
  const choice = formatChoice(spec.recipe);
  const layout = layoutFor(choice, rows, cols, granularity.kind, granularity.blockSize);
  onProgress(0.3, backend.device.backend === 'webgpu' ? 'quantizing on the GPU' : 'quantizing on the CPU');
  const out = await backend.run(x, layout, choice);
  check();
  onProgress(0.9, 'summarising');
  const bpw = bitsPerWeightOf(choice, x.length, layout.groupCount);
  const fixedBlock = layout.groupSize !== groupLayout(rows, cols, granularity.kind, granularity.blockSize).groupSize;
  const result: TensorResult = {
    backend: backend.device.backend,
    quantizedOn: out.quantizedOn,
    rows, cols,
    groupCount: layout.groupCount,
    groupSize: layout.groupSize,
    blockClamped: !fixedBlock && granularity.kind === 'block' && granularity.blockSize > cols,
    metrics: { ...errorMetrics(out.sums), bitsPerWeight: bpw, storageBytes: Math.ceil((bpw * x.length) / 8) },
    histograms: out.histograms,
    levels: {
      group: out.widestGroup,
      values: out.widestLevels,
      where: layout.groupCount === 1 ? 'the whole tensor' : describeGroup(out.widestGroup, layout.groupsPerLine, fixedBlock ? 'block' : granularity.kind),
    },
    subject,
    outliers: inputAnatomy(x, rows, cols),
    elapsedMs: 0,
  };
  // With a transform step, the result above (the format alone) becomes its baseline.
  const { transform } = spec.recipe;
  const final = transform ? await withTransform(result, { x, rows, cols, recipe: spec.recipe, transform, backend, onProgress, check }) : result;
  return { ...final, elapsedMs: performance.now() - started };
}

/** "block 3 of row 17" style description of a group id. */
function describeGroup(g: number, groupsPerLine: number, kind: string): string {
  const line = Math.floor(g / groupsPerLine), k = g % groupsPerLine;
  switch (kind) {
    case 'tensor': return 'the whole tensor';
    case 'row': return `row ${line}`;
    case 'column': return `column ${line}`;
    default: return `block ${k} of row ${line}`;
  }
}
