// model: how a linear layer runs when the recipe's transform changes its computation (input rotation, permutation, fp16 columns or rows beside the low-bit product, a low-rank branch), and the CPU reference of that execution.
//
// The stored weight Ŵ [n outputs, k inputs] is the quantized form of a transformed weight (see
// linearPlan.ts); an execution says what runs around the product Ŵ·x. The GPU twin is
// src/model/gpu/linearTransforms.ts, which runs the same steps as kernels in the same order:
// - rotate   x' = R·x (QuaRot's online Hadamard, Ashkboos et al. 2024, arXiv 2404.00456), y = Ŵ·x'
// - permute  x'[j] = x[perm[j]] (Trukhanov & Soloveychik 2024, arXiv 2403.20137), y = Ŵ·x'
// - columns  y = Ŵ·x₀ + K·x[cols], x₀ = x with the kept entries zeroed (LLM.int8()'s mixed-precision
//            decomposition, Dettmers et al. 2022, arXiv 2208.07339)
// - rows     y = Ŵ·x, then y[rows[j]] = (K·x)[j] (whole output channels kept in fp16)
// - lowrank  y = Ŵ·x + A·(B·x) with A = U·S [n, r] and B = Vᵀ [r, k] (Metis, arXiv 2509.00404;
//            LoRC, arXiv 2303.08302)
// Intermediate vectors (x', x₀, x[cols], B·x, the branch output) are f32, as GPU buffers are; each
// product sums in f64 and rounds once (ops.ts matVec), the branch is added with one f32 rounding.
import { type HadamardRotation, rotateVector } from '../../quant/hadamard/rotation';
import { matVec } from './ops';

/** What runs around the product with the stored weight Ŵ [n, k]; matrices f32 row-major, kept values and factors already rounded to their storage type. */
export type LinearExecution =
  /** x' = R·x (R of size k), then Ŵ·x' with Ŵ = Q(W·Rᵀ). */
  | { readonly kind: 'rotate'; readonly rotation: HadamardRotation }
  /** x'[j] = x[perm[j]] (perm u32[k]), then Ŵ·x' with Ŵ = Q(W[:, perm]). */
  | { readonly kind: 'permute'; readonly perm: Uint32Array }
  /** Ŵ·x₀ + K·x[columns]: columns u32[c] ascending, K f32[n · c] (fp16 values), Ŵ = Q(W with those columns zeroed). */
  | { readonly kind: 'columns'; readonly columns: Uint32Array; readonly kept: Float32Array }
  /** Ŵ·x with output rows[j] replaced by (K·x)[j]: rows u32[c] ascending, K f32[c · k] (fp16 values). */
  | { readonly kind: 'rows'; readonly rows: Uint32Array; readonly kept: Float32Array }
  /** Ŵ·x + A·(B·x): A f32[n · rank] (U·S), B f32[rank · k] (Vᵀ). */
  | { readonly kind: 'lowrank'; readonly rank: number; readonly left: Float32Array; readonly right: Float32Array };

/** Checks that an execution fits a layer of k inputs and n outputs; throws naming the mismatch. */
export function checkExecution(ex: LinearExecution, n: number, k: number, what: string): void {
  const fail = (detail: string) => { throw new Error(`${what}: the ${ex.kind} transform does not fit this ${n}×${k} layer: ${detail}.`); };
  switch (ex.kind) {
    case 'rotate': if (ex.rotation.size !== k) fail(`the rotation has size ${ex.rotation.size}`); break;
    case 'permute': if (ex.perm.length !== k) fail(`the permutation has ${ex.perm.length} entries`); break;
    case 'columns':
      if (ex.kept.length !== n * ex.columns.length || ex.columns.some((c) => c >= k)) fail(`${ex.columns.length} kept columns with ${ex.kept.length} values`);
      break;
    case 'rows':
      if (ex.kept.length !== k * ex.rows.length || ex.rows.some((r) => r >= n)) fail(`${ex.rows.length} kept rows with ${ex.kept.length} values`);
      break;
    case 'lowrank':
      if (ex.left.length !== n * ex.rank || ex.right.length !== ex.rank * k) fail(`rank ${ex.rank} factors of ${ex.left.length} and ${ex.right.length} values`);
      break;
  }
}

/**
 * y = the layer's output for input x (f32[k]) under `ex`, where `product(v)` is Ŵ·v without bias
 * (f32[n]). The caller adds the bias afterwards, as the GPU pass does after its branch.
 */
export function executeLinear(ex: LinearExecution, x: Float32Array, product: (v: Float32Array) => Float32Array): Float32Array {
  switch (ex.kind) {
    case 'rotate': return product(rotateVector(x, ex.rotation));
    case 'permute': return product(Float32Array.from(ex.perm, (c) => x[c]));
    case 'columns': {
      const rest = Float32Array.from(x);
      for (const c of ex.columns) rest[c] = 0;
      const y = product(rest);
      return addInto(y, matVec(ex.kept, Float32Array.from(ex.columns, (c) => x[c]), y.length, ex.columns.length));
    }
    case 'rows': {
      const y = product(x);
      const kept = matVec(ex.kept, x, ex.rows.length, x.length);
      ex.rows.forEach((r, j) => { y[r] = kept[j]; });
      return y;
    }
    case 'lowrank': {
      const y = product(x);
      const t = matVec(ex.right, x, ex.rank, x.length);
      return addInto(y, matVec(ex.left, t, y.length, ex.rank));
    }
  }
}

function addInto(y: Float32Array, z: Float32Array): Float32Array {
  for (let i = 0; i < y.length; i++) y[i] += z[i];
  return y;
}
