// model (gpu): linear layers whose recipe transform changes the computation: branch weights uploaded once, and the steps around the packed matmul encoded (twin of executeLinear in src/model/forward/linearTransforms.ts).
import { grid2d } from '../../gpu/dispatch';
import { encodeGatherColumns } from '../../gpu/kernels/gather';
import { encodeHadamard } from '../../gpu/kernels/hadamard';
import { destroyPacked, encodeMatmulPacked, type PackedGpuWeights, uploadPacked } from '../../gpu/kernels/matmulPacked';
import { encodePass, type GpuRuntime, storageUsage, uploadUniform } from '../../gpu/runtime';
import type { HadamardRotation } from '../../quant/hadamard/rotation';
import { packDense } from '../../quant/packed/weights';
import type { LinearExecution } from '../forward/linearTransforms';
import { type Encoding, encodeResidual } from './kernels';

const WG = 256;
/** "Not a kept column" in the slot table of shaders/forward_columns.wgsl. */
const NO_SLOT = 0xffffffff;

/** A {@link LinearExecution} with its branch weights on the GPU (dense f32 packed weights, their values already fp16-rounded). */
export type GpuExecution =
  | { readonly kind: 'rotate'; readonly rotation: HadamardRotation }
  | { readonly kind: 'permute'; readonly perm: Uint32Array }
  /** slots u32[k]: a column's index among the kept ones or NO_SLOT; kept [n, count]. */
  | { readonly kind: 'columns'; readonly count: number; readonly slots: GPUBuffer; readonly kept: PackedGpuWeights }
  /** rows u32[count]; kept [count, k]. */
  | { readonly kind: 'rows'; readonly count: number; readonly rows: GPUBuffer; readonly kept: PackedGpuWeights }
  /** left [n, rank] (U·S), right [rank, k] (Vᵀ). */
  | { readonly kind: 'lowrank'; readonly rank: number; readonly left: PackedGpuWeights; readonly right: PackedGpuWeights };

function u32Buffer(rt: GpuRuntime, data: Uint32Array, label: string): GPUBuffer {
  const buffer = rt.device.createBuffer({ label, size: Math.max(16, data.byteLength), usage: storageUsage() });
  rt.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/** Uploads the branch weights of `ex` for a layer of n outputs and k inputs; free them with {@link destroyExecution}. */
export function uploadExecution(rt: GpuRuntime, ex: LinearExecution, n: number, k: number, label: string): GpuExecution {
  switch (ex.kind) {
    case 'rotate': case 'permute': return ex;
    case 'columns': {
      const slots = new Uint32Array(k).fill(NO_SLOT);
      ex.columns.forEach((c, j) => { slots[c] = j; });
      const count = ex.columns.length;
      return { kind: 'columns', count, slots: u32Buffer(rt, slots, `${label}.kept_slots`), kept: uploadPacked(rt, packDense(ex.kept, n, count), `${label}.kept_columns`) };
    }
    case 'rows': {
      const count = ex.rows.length;
      return { kind: 'rows', count, rows: u32Buffer(rt, ex.rows, `${label}.kept_row_index`), kept: uploadPacked(rt, packDense(ex.kept, count, k), `${label}.kept_rows`) };
    }
    case 'lowrank': return {
      kind: 'lowrank', rank: ex.rank,
      left: uploadPacked(rt, packDense(ex.left, n, ex.rank), `${label}.lowrank_left`),
      right: uploadPacked(rt, packDense(ex.right, ex.rank, k), `${label}.lowrank_right`),
    };
  }
}

/** Frees what {@link uploadExecution} created. */
export function destroyExecution(g: GpuExecution): void {
  if (g.kind === 'columns') { g.slots.destroy(); destroyPacked(g.kept); }
  if (g.kind === 'rows') { g.rows.destroy(); destroyPacked(g.kept); }
  if (g.kind === 'lowrank') { destroyPacked(g.left); destroyPacked(g.right); }
}

/**
 * Encodes y = the layer's output without bias for `rows` input rows: x f32[rows · k], y f32[rows · n]
 * (written; not x's buffer), `w` the packed Ŵ, `ex` what runs around it (null: y = x·Ŵᵀ). The
 * intermediates are pooled buffers in `e.scratch`, released after submit. `dummy` is the model's
 * placeholder buffer for absent kernel inputs.
 */
export function encodeLinear(e: Encoding, x: GPUBuffer, w: PackedGpuWeights, ex: GpuExecution | null, y: GPUBuffer, rows: number, dummy: GPUBuffer): void {
  const { rt, encoder } = e;
  const matmul = (input: GPUBuffer, weight: PackedGpuWeights, output: GPUBuffer) => e.scratch.push(encodeMatmulPacked(rt, encoder, input, weight, output, rows));
  const temp = (floats: number, label: string) => {
    const b = rt.pool.acquire(floats * 4, storageUsage(), `linear.${label}`);
    e.scratch.push(b);
    return b;
  };
  const addBranch = (branch: GPUBuffer) => encodeResidual(e, y, branch, null, dummy, rows * w.n, w.n);
  if (!ex) { matmul(x, w, y); return; }
  switch (ex.kind) {
    case 'rotate': case 'permute': {
      const { out, scratch } = ex.kind === 'rotate' ? encodeHadamard(rt, encoder, x, rows, ex.rotation) : encodeGatherColumns(rt, encoder, x, rows, w.k, ex.perm);
      e.scratch.push(out, ...scratch);
      matmul(out, w, y);
      return;
    }
    case 'columns': {
      const rest = temp(rows * w.k, 'rest'), kept = temp(rows * ex.count, 'kept_inputs'), branch = temp(rows * w.n, 'branch');
      movePass(e, 'split_columns', [rows * w.k, w.k, ex.count], { 1: x, 2: ex.slots, 3: rest, 4: kept });
      matmul(rest, w, y);
      matmul(kept, ex.kept, branch);
      addBranch(branch);
      return;
    }
    case 'rows': {
      const kept = temp(rows * ex.count, 'kept_outputs');
      matmul(x, w, y);
      matmul(x, ex.kept, kept);
      movePass(e, 'scatter_columns', [rows * ex.count, ex.count, w.n], { 1: kept, 2: ex.rows, 3: y });
      return;
    }
    case 'lowrank': {
      const inner = temp(rows * ex.rank, 'lowrank_inner'), branch = temp(rows * w.n, 'branch');
      matmul(x, w, y);
      matmul(x, ex.right, inner);
      matmul(inner, ex.left, branch);
      addBranch(branch);
      return;
    }
  }
}

/** One pass of shaders/forward_columns.wgsl over `fields[0]` elements. */
function movePass(e: Encoding, entry: 'split_columns' | 'scatter_columns', fields: number[], bindings: Record<number, GPUBuffer>): void {
  const uniform = uploadUniform(e.rt, fields, `forward_columns.${entry}.params`);
  e.scratch.push(uniform);
  encodePass(e.rt, e.encoder, e.rt.pipelines.get('forward_columns', entry, { WG }), { 0: uniform, ...bindings }, grid2d(Math.ceil(fields[0] / WG)));
}
