// engine: a model and its quantized copy for a model pass: the full-precision ForwardModel, the same with the recipe (format and transform) applied to every block projection, and the packer giving the GPU pass the same weights and transform execution (pure: no GPU imports).
import { classifyTensor } from '../model/architectures';
import { forwardModelFromLoaded, forwardName } from '../model/forward/fromLoaded';
import { type LinearPlan, planLinear } from '../model/forward/linearPlan';
import type { LinearExecution } from '../model/forward/linearTransforms';
import type { ForwardModel } from '../model/forward/weights';
import type { LinearPacker } from '../model/gpu/weights';
import type { LoadedModel } from '../model/load';
import { packDense, packWeights } from '../quant/packed';
import { baseQuantizer } from '../quant/transforms/base';
import { transformDescriptor, type TransformSpec } from '../quant/transforms/registry';
import { formatChoice } from '../spec/formatChoice';
import type { Recipe } from '../spec/schema';
import { transformSpecOf } from '../spec/transformSchema';
import { transpose } from '../lib/matrix';

/** Tensor roles the recipe quantizes in a model pass: the projections inside the blocks (embedding and head stay f32). */
const QUANTIZED_ROLES = new Set(['attn-q', 'attn-k', 'attn-v', 'attn-qkv', 'attn-o', 'mlp-up', 'mlp-gate', 'mlp-down']);

/** Whether the recipe applies to tensor `name` in a model pass. */
export function quantizedInModel(name: string): boolean {
  return QUANTIZED_ROLES.has(classifyTensor(name).role);
}

/** Which tensors a model pass quantizes: by default every block projection (quantizedInModel). */
export type TensorFilter = (name: string) => boolean;

/** How the recipe's transform runs in a model pass: executed around packed low-bit weights, simulated with dequantized weights, or none. */
export type TransformExecution = 'executed' | 'simulated' | 'none';

/** A planned linear weight in nn.Linear orientation [n = out, k = in]; conv1d: stored [in, out] (GPT-2). */
interface PlannedTensor {
  readonly plan: LinearPlan;
  readonly n: number;
  readonly k: number;
  readonly conv1d: boolean;
}


/**
 * The same model as `full` with the recipe applied to the tensors `applies` selects. Each weight
 * is planned once (src/model/forward/linearPlan.ts) in nn.Linear orientation [n = out, k = in],
 * groups along the input dimension (as GPTQ and llama.cpp do). `quantized` is the CPU pass:
 * dequantized weights in stored layout (cached per tensor) plus the transform's execution around
 * each product; `packer` gives the GPU pass the same weights packed (low-bit codes where the format
 * has them, else the dequantized f32) with the same execution. Counts the quantized tensors, their
 * weights and their weighted bits per weight (transform storage included), and says how the
 * transform ran.
 */
export function quantizedVariant(loaded: LoadedModel, full: ForwardModel, recipe: Recipe, applies: TensorFilter = quantizedInModel) {
  const choice = formatChoice(recipe);
  const { kind, blockSize } = recipe.granularity;
  const quantize = baseQuantizer(choice, kind, blockSize);
  const spec: TransformSpec = recipe.transform ? transformSpecOf(recipe.transform) : { method: 'none', params: {} };
  const planned = new Map<string, PlannedTensor>();
  let params = 0, bits = 0;
  for (const t of loaded.summary.tensors) {
    if (!t.quantizable || t.shape.length !== 2 || !quantizedInModel(t.name) || !applies(t.name)) continue;
    const name = forwardName(full.config, full.naming, t.name);
    const conv1d = t.inputAxis === 0;
    const [n, k] = conv1d ? [t.shape[1], t.shape[0]] : [t.shape[0], t.shape[1]];
    const stored = full.weight(name);
    const plan = planLinear(spec, conv1d ? transpose(stored, k, n) : stored, n, k, quantize);
    planned.set(name, { plan, n, k, conv1d });
    params += t.params;
    bits += plan.bits;
  }
  const cache = new Map<string, Float32Array>();
  const quantized: ForwardModel = {
    config: full.config,
    naming: full.naming,
    weight(name) {
      const entry = planned.get(name);
      if (!entry) return full.weight(name);
      let q = cache.get(name);
      if (!q) {
        const { plan, n, k, conv1d } = entry;
        const dequantized = plan.mode === 'simulated' ? plan.xhat : quantize(plan.base, n, k);
        q = conv1d ? transpose(dequantized, n, k) : dequantized;
        cache.set(name, q);
      }
      return q;
    },
    linearExecution: (name) => {
      const plan = planned.get(name)?.plan;
      return plan?.mode === 'executed' ? plan.execution : null;
    },
  };
  const packer: LinearPacker = (name, w, n, k) => {
    const entry = planned.get(name);
    if (!entry) return packDense(w, n, k);
    if (entry.n !== n || entry.k !== k) throw new Error(`${name} was planned as ${entry.n}×${entry.k} but is packed as ${n}×${k}.`);
    const { plan } = entry;
    if (plan.mode === 'simulated') return packDense(plan.xhat, n, k);
    try {
      return { ...packWeights(plan.base, n, k, choice, kind, blockSize), execution: plan.execution };
    } catch {
      // formats without a code-and-scale form (NUPES, PTQTP) run their dequantized weights
      return { ...packDense(quantize(plan.base, n, k), n, k), execution: plan.execution };
    }
  };
  const plans = [...planned.values()];
  return {
    quantized, packer, quantizedTensors: planned.size, quantizedParams: params, bitsPerWeight: params > 0 ? bits / params : 0,
    transformExecution: transformExecutionOf(spec, plans),
    transformDetail: describeTransform(spec, plans),
  };
}

function transformExecutionOf(spec: TransformSpec, plans: readonly PlannedTensor[]): TransformExecution {
  if (spec.method === 'none') return 'none';
  return plans.some((p) => p.plan.mode === 'simulated') ? 'simulated' : 'executed';
}

/** One sentence on what ran, for the protocol ('' without a transform). */
function describeTransform(spec: TransformSpec, plans: readonly PlannedTensor[]): string {
  if (spec.method === 'none') return '';
  const label = transformDescriptor(spec.method).label;
  if (plans.some((p) => p.plan.mode === 'simulated')) {
    return `${label} changes only the stored values: the layers run on its dequantized weights (f32), a simulation of its kernels.`;
  }
  const executions = plans.flatMap((p) => (p.plan.mode === 'executed' && p.plan.execution ? [{ ...p, ex: p.plan.execution }] : []));
  if (executions.length === 0) return `${label} leaves the weights as the format alone quantizes them (nothing to execute).`;
  const total = (count: (ex: LinearExecution) => number) => executions.reduce((sum, p) => sum + count(p.ex), 0);
  switch (executions[0].ex.kind) {
    case 'rotate': {
      const blocks = new Map<number, number>();
      for (const p of executions) if (p.ex.kind === 'rotate') blocks.set(p.k, p.ex.rotation.block);
      const list = [...blocks].map(([k, block]) => (block === k ? `the whole ${k} inputs` : `blocks of ${block} on ${k} inputs`)).join(', ');
      return `Executed: weights stored as Q(W·Rᵀ), each projection's input rotated on the fly (x' = R·x; ${list}).`;
    }
    case 'permute': return 'Executed: each projection\'s input gathered by its stored channel order before the low-bit matmul.';
    case 'columns': return `Executed: ${total((ex) => (ex.kind === 'columns' ? ex.columns.length : 0))} input columns kept in fp16 run as a dense matmul added to the low-bit matmul of the rest.`;
    case 'rows': return `Executed: ${total((ex) => (ex.kind === 'rows' ? ex.rows.length : 0))} output rows kept in fp16 computed densely in place of their low-bit outputs.`;
    case 'lowrank': return `Executed: low-rank factors (${spec.method === 'lowrank' && spec.params.factorType === 'fp32' ? 'fp32' : 'fp16'}) run as two small matmuls added to the low-bit matmul.`;
  }
}

/** The full-precision model read from `loaded` and its quantized variant (see quantizedVariant). */
export async function modelPair(
  loaded: LoadedModel, recipe: Recipe, applies: TensorFilter = quantizedInModel, signal?: AbortSignal, onTensor?: (done: number, total: number) => void,
) {
  const full = await forwardModelFromLoaded(loaded, { signal, onTensor });
  return { full, ...quantizedVariant(loaded, full, recipe, applies) };
}
