// model: seeded synthetic weight matrices (a "source" like a model tensor, generated instead of loaded).
import { createRng, laplace, normal, sampleDistinct, studentT } from '../lib/rng';

export type SyntheticDistribution = 'gaussian' | 'laplace' | 'student-t' | 'uniform';

export interface SyntheticParams {
  readonly rows: number;
  readonly cols: number;
  readonly distribution: SyntheticDistribution;
  readonly seed: number;
  readonly outlierChannels: number;
  readonly outlierScale: number;
}

/** Typical std of a trained LLM weight, so numbers on the axes look familiar. */
const WEIGHT_STD = 0.02;
/** Degrees of freedom of the Student-t option: heavy tails, finite variance. */
const STUDENT_NU = 3;

/** Unit-variance draw from the chosen distribution. */
function unitSampler(d: SyntheticDistribution, rand: () => number): () => number {
  switch (d) {
    case 'gaussian': return () => normal(rand);
    case 'laplace': return () => laplace(rand) / Math.SQRT2;
    case 'student-t': return () => studentT(rand, STUDENT_NU) / Math.sqrt(STUDENT_NU / (STUDENT_NU - 2));
    case 'uniform': return () => (rand() * 2 - 1) * Math.sqrt(3);
  }
}

/** The outlier input channels (columns) for these parameters, ascending. */
export function outlierColumns(p: SyntheticParams): number[] {
  const rand = createRng((p.seed ^ 0x5bd1e995) >>> 0);
  return sampleDistinct(rand, p.cols, p.outlierChannels).sort((a, b) => a - b);
}

/**
 * A row-major [rows, cols] f32 matrix, std 0.02 before outliers, with `outlierChannels` whole
 * columns multiplied by `outlierScale` (LLM.int8-style outlier features live in input channels).
 * Deterministic from the parameters.
 */
export function syntheticMatrix(p: SyntheticParams): Float32Array {
  const draw = unitSampler(p.distribution, createRng(p.seed));
  const out = new Float32Array(p.rows * p.cols);
  for (let i = 0; i < out.length; i++) out[i] = draw() * WEIGHT_STD;
  for (const c of outlierColumns(p)) {
    for (let r = 0; r < p.rows; r++) out[r * p.cols + c] *= p.outlierScale;
  }
  return out;
}
