// quant: seeded k-means (k-means++ init, Lloyd iterations) over d-dimensional vectors, with the f32 nearest-codeword step the GPU kernel mirrors.
//
// Lloyd's algorithm (Lloyd 1982) started from a given codebook or by k-means++ seeding (Arthur &
// Vassilvitskii 2007, "k-means++: the advantages of careful seeding"): the first centre is a
// uniformly drawn vector, each next one a vector drawn with probability proportional to its squared
// distance to the nearest centre so far. Then a fixed number of rounds of (assign every vector to
// its nearest codeword; move each codeword to the mean of its vectors). A codeword with no vectors stays where it is, so the objective
// (sum of squared distances) never increases. The loop is a generator (steps.ts): the assignment,
// the heavy step, is a request the CPU ({@link assignNearest}) or shaders/kmeans_assign.wgsl answers.
import { createRng } from '../../lib/rng';
import { runSteps } from './steps';

/** Math.fround (src/lib/f32.ts `f32`) as a module-local binding: imported bindings are slow in these hot loops under Vite's module transform. */
const f32 = Math.fround;

/** Nearest-codeword request: `vectors` f32[n · d] and `codebook` f32[k · d], both row-major. */
export interface AssignRequest {
  readonly vectors: Float32Array;
  readonly d: number;
  readonly codebook: Float32Array;
}

export interface KmeansParams {
  /** Codewords (clusters), >= 1. */
  readonly k: number;
  /** Lloyd rounds after the seeding (stops early when no assignment changes). */
  readonly iterations: number;
  /** Seed of the k-means++ draws (u32). */
  readonly seed: number;
  /** Starting codebook f32[k · d] instead of the k-means++ draws (the seed is then unused). */
  readonly init?: Float32Array;
}

export interface KmeansResult {
  /** f32[k · d], row-major. */
  readonly codebook: Float32Array;
  /** Codeword of each vector under the final codebook. */
  readonly assignments: Uint32Array;
  /**
   * Sum of squared distances (f64) after each assignment step: entry t is the objective of
   * assignment t with the codebook it was made for. Non-increasing (up to f32 ties, see assignNearest).
   */
  readonly objective: number[];
}

/**
 * Index of the nearest codeword of every vector. Squared distance in f32, summed over the d
 * coordinates in order: s = f32(s + f32(t · t)) with t = f32(x_j − c_j); the first codeword with
 * the smallest s wins (ties to the lower index). shaders/kmeans_assign.wgsl does the same f32
 * operations in the same order, so the indices agree exactly.
 */
export function assignNearest({ vectors, d, codebook }: AssignRequest): Uint32Array {
  const n = vectors.length / d, k = codebook.length / d;
  const out = new Uint32Array(n);
  for (let v = 0; v < n; v++) {
    let best = Infinity, bestIdx = 0;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = f32(vectors[v * d + j] - codebook[c * d + j]);
        s = f32(s + f32(t * t));
      }
      if (s < best) { best = s; bestIdx = c; }
    }
    out[v] = bestIdx;
  }
  return out;
}

/** Σ ‖x_v − c_{a(v)}‖² in f64. */
export function kmeansObjective(vectors: Float32Array, d: number, codebook: Float32Array, assignments: Uint32Array): number {
  let sum = 0;
  for (let v = 0; v < assignments.length; v++) {
    for (let j = 0; j < d; j++) sum += (vectors[v * d + j] - codebook[assignments[v] * d + j]) ** 2;
  }
  return sum;
}

/** k-means++ seeding: k codewords drawn from the vectors (f32[k · d]). */
export function kmeansPlusPlus(vectors: Float32Array, d: number, k: number, seed: number): Float32Array {
  const n = vectors.length / d;
  const rand = createRng(seed);
  const codebook = new Float32Array(k * d);
  const nearest = new Float64Array(n).fill(Infinity);
  let pick = Math.floor(rand() * n);
  for (let c = 0; c < k; c++) {
    codebook.set(vectors.subarray(pick * d, pick * d + d), c * d);
    let total = 0;
    for (let v = 0; v < n; v++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (vectors[v * d + j] - codebook[c * d + j]) ** 2;
      nearest[v] = Math.min(nearest[v], s);
      total += nearest[v];
    }
    if (total === 0) { pick = Math.floor(rand() * n); continue; } // fewer distinct vectors than k: duplicates are harmless
    let target = rand() * total;
    pick = n - 1;
    for (let v = 0; v < n; v++) {
      target -= nearest[v];
      if (target < 0) { pick = v; break; }
    }
  }
  return codebook;
}

/** Moves each codeword to the f64 mean of its vectors (rounded to f32); empty codewords stay. */
function updateCodebook(vectors: Float32Array, d: number, codebook: Float32Array, assignments: Uint32Array): void {
  const k = codebook.length / d;
  const sums = new Float64Array(k * d), counts = new Float64Array(k);
  for (let v = 0; v < assignments.length; v++) {
    const c = assignments[v];
    counts[c]++;
    for (let j = 0; j < d; j++) sums[c * d + j] += vectors[v * d + j];
  }
  for (let c = 0; c < k; c++) {
    if (counts[c] === 0) continue;
    for (let j = 0; j < d; j++) codebook[c * d + j] = sums[c * d + j] / counts[c];
  }
}

/** The k-means loop as a generator of assignment requests (answer: Uint32Array of codeword indices). */
export function* kmeansSteps(vectors: Float32Array, d: number, params: KmeansParams): Generator<AssignRequest, KmeansResult, Uint32Array> {
  checkKmeans(vectors, d, params);
  const codebook = params.init?.slice() ?? kmeansPlusPlus(vectors, d, params.k, params.seed);
  let assignments: Uint32Array = yield { vectors, d, codebook: codebook.slice() };
  const objective = [kmeansObjective(vectors, d, codebook, assignments)];
  for (let it = 0; it < params.iterations; it++) {
    updateCodebook(vectors, d, codebook, assignments);
    const next: Uint32Array = yield { vectors, d, codebook: codebook.slice() };
    objective.push(kmeansObjective(vectors, d, codebook, next));
    const changed = next.some((c, v) => c !== assignments[v]);
    assignments = next;
    if (!changed) break;
  }
  return { codebook, assignments, objective };
}

/** k-means on the CPU: `vectors` f32[n · d] row-major. */
export function kmeans(vectors: Float32Array, d: number, params: KmeansParams): KmeansResult {
  return runSteps(kmeansSteps(vectors, d, params), assignNearest);
}

function checkKmeans(vectors: Float32Array, d: number, p: KmeansParams): void {
  if (!Number.isInteger(d) || d < 1 || vectors.length % d !== 0 || vectors.length === 0) {
    throw new Error(`k-means: ${vectors.length} values do not split into vectors of ${d}; give a whole number of vectors.`);
  }
  if (!Number.isInteger(p.k) || p.k < 1) throw new Error(`k-means: the number of codewords must be a positive whole number, got ${p.k}.`);
  if (!Number.isInteger(p.iterations) || p.iterations < 0) throw new Error(`k-means: iterations must be a whole number >= 0, got ${p.iterations}.`);
  if (p.init && p.init.length !== p.k * d) throw new Error(`k-means: the starting codebook has ${p.init.length} values but ${p.k} codewords of ${d} need ${p.k * d}.`);
}
