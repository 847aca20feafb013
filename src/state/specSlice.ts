// state: the spec slice, the experiment spec and setters that always produce a new, valid spec.
import type { StateCreator } from 'zustand/vanilla';
import { z } from 'zod';
import { DEFAULT_EVALUATION, DEFAULT_SPEC, DEFAULT_SYNTHETIC_SOURCE, EMBEDDED_MODEL_SOURCE, intFormat } from '../spec/defaults';
import {
  type Distribution, type Evaluation, evaluationSchema, type ExperimentSpec, experimentSpecSchema, type Granularity, granularitySchema,
  type IntFormat, intFormatSchema, type ModelRef, modelRefSchema, modelSourceSchema, type Recipe, recipeSchema,
  registryFormatSchema, type RegistryFormatId, type SyntheticSource, syntheticSourceSchema, type UserCodebookFormat,
  userCodebookSchema,
  type ViewTab, viewSchema,
} from '../spec/schema';
import { transformDescriptor } from '../quant/transforms/registry';
import {
  type RecipeTransform, type RecipeTransformMethod, TRANSFORM_PARAMS, type TransformParamsOf, transformSchema,
} from '../spec/transformSchema';

export interface SpecSlice {
  readonly spec: ExperimentSpec;
  /** Replaces the whole spec; throws (zod) when it is not valid. */
  setSpec(spec: ExperimentSpec): void;
  /** Switches between the synthetic tensor and a model, each restoring its last settings. */
  setSourceKind(kind: ExperimentSpec['source']['kind']): void;
  /** Opens a model at its default tensor; throws (zod) when the reference is not valid. */
  setModel(model: ModelRef): void;
  /** Picks a tensor of the current model by name; ignored while the source is synthetic. */
  setTensor(name: string): void;
  /** The synthetic setters below switch the source to the synthetic tensor first. */
  setDistribution(distribution: Distribution): void;
  /** Integer seed, clamped to the schema's [0, 2^32 - 1]. */
  setSeed(seed: number): void;
  /** A fresh random seed, so "new seed" shows another draw of the same distribution. */
  newSeed(): void;
  setOutlierChannels(n: number): void;
  setOutlierScale(scale: number): void;
  /** Replaces the recipe (a preset); throws (zod) when it is not valid. */
  setRecipe(recipe: Recipe): void;
  /** The integer quantizer ('int'), the typed codebook ('codebook'), each restoring its last settings, or a registry format by id. */
  setFormat(id: 'int' | 'codebook' | RegistryFormatId): void;
  /** Levels and scaling of the typed codebook; throws (zod) when they are not valid. */
  setCodebook(levels: number[], scaling: UserCodebookFormat['scaling']): void;
  /**
   * Integer settings; ignored while a registry format is selected. A change the quantizer cannot
   * take (1-bit symmetric, a float zero point in E8M0) is adjusted: bits rise to the mode's minimum,
   * the scale falls back to fp32.
   */
  setBits(bits: number): void;
  setIntMode(mode: IntFormat['mode']): void;
  setScaleEncoding(scale: IntFormat['scale']): void;
  setRounding(rounding: IntFormat['rounding']): void;
  setRoundingSeed(seed: number): void;
  setClip(clip: IntFormat['clip']): void;
  setGranularity(kind: Granularity['kind']): void;
  setBlockSize(size: number): void;
  setLogScale(on: boolean): void;
  /**
   * The transform step: a method with the parameters it last had (its registry defaults at first),
   * or 'none' to remove the step.
   */
  setTransform(method: RecipeTransformMethod | 'none'): void;
  /**
   * Merges parameters into the current transform step; ignored unless `method` is the current one.
   * Numbers are clamped to the schema's ranges (an emptied input becomes the minimum); other
   * invalid values throw (zod).
   */
  setTransformParams<M extends RecipeTransformMethod>(method: M, patch: Partial<TransformParamsOf<M>>): void;
  setViewTab(tab: ViewTab): void;
  /** Evaluate view settings; throws (zod) when the result is not valid. */
  setEvaluation(patch: Partial<Evaluation>): void;
}

/** Minimal view of a zod number schema: its bounds and whether it is an integer. */
interface NumberBounds {
  readonly minValue: number | null;
  readonly maxValue: number | null;
  readonly isInt: boolean;
}

/**
 * Clamps `value` into the schema's range (rounding for integer fields); NaN becomes the minimum,
 * so an emptied number input never produces an invalid spec.
 */
export function clampTo(schema: NumberBounds, value: number): number {
  const lo = schema.minValue ?? -Infinity, hi = schema.maxValue ?? Infinity;
  const v = Number.isNaN(value) ? lo : schema.isInt ? Math.round(value) : value;
  return Math.min(hi, Math.max(lo, v));
}

const src = syntheticSourceSchema.shape;
const fmt = intFormatSchema.shape;
const gran = granularitySchema.shape;

/** A zod schema seen through its wrappers (optional, nullable) for clamping. */
type Unwrappable = z.ZodType & { unwrap?: () => z.ZodType };

/** `value` with every number clamped into `schema`'s range, through objects and discriminated unions (by their `kind`). */
function clampToSchema(schema: z.ZodType, value: unknown): unknown {
  let s = schema as Unwrappable;
  while ((s instanceof z.ZodOptional || s instanceof z.ZodNullable) && s.unwrap) s = s.unwrap() as Unwrappable;
  if (typeof value === 'number' && s instanceof z.ZodNumber) return clampTo(s, value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  if (s instanceof z.ZodDiscriminatedUnion) {
    const kind = (value as { kind?: unknown }).kind;
    const option = (s.options as z.ZodType[]).find((o) => o instanceof z.ZodObject && (o.shape.kind as z.ZodLiteral).value === kind);
    return option ? clampToSchema(option, value) : value;
  }
  if (!(s instanceof z.ZodObject)) return value;
  const shape = s.shape as Record<string, z.ZodType>;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape[k] ? clampToSchema(shape[k], v) : v]));
}

/** Adjusts combinations the integer quantizer refuses: bits up to the mode's minimum, E8M0 → fp32 for a float zero point. */
function makeValid(f: IntFormat): IntFormat {
  const bits = (f.mode === 'sym' || f.mode === 'sym-full') && f.bits < 2 ? 2 : f.bits;
  const scale = f.mode === 'asym-float' && f.scale === 'e8m0' ? 'fp32' : f.scale;
  return { ...f, bits, scale };
}

export const createSpecSlice: StateCreator<SpecSlice> = (set, get) => {
  // The synthetic settings and the last model survive a detour through the other kind of source.
  let lastSynthetic: SyntheticSource = DEFAULT_SPEC.source.kind === 'synthetic' ? DEFAULT_SPEC.source : DEFAULT_SYNTHETIC_SOURCE;
  let lastModel: ExperimentSpec['source'] = DEFAULT_SPEC.source.kind === 'model' ? DEFAULT_SPEC.source : EMBEDDED_MODEL_SOURCE;
  const setSource = (source: ExperimentSpec['source']) => {
    if (source.kind === 'synthetic') lastSynthetic = source; else lastModel = source;
    set(({ spec }) => ({ spec: { ...spec, source } }));
  };
  const synthetic = (): SyntheticSource => {
    const s = get().spec.source;
    return s.kind === 'synthetic' ? s : lastSynthetic;
  };
  const source = (patch: Partial<SyntheticSource>) => setSource({ ...synthetic(), ...patch });
  const setRecipeFormat = (format: ExperimentSpec['recipe']['format']) =>
    set(({ spec }) => ({ spec: { ...spec, recipe: { ...spec.recipe, format } } }));
  // The integer settings survive a detour through other formats.
  let lastInt: IntFormat = DEFAULT_SPEC.recipe.format.kind === 'int' ? DEFAULT_SPEC.recipe.format : intFormat(4, 'sym');
  let lastCodebook: UserCodebookFormat = { kind: 'codebook', levels: [-1, -0.5, -0.25, 0, 0.25, 0.5, 1], scaling: 'absmax' };
  const intPatch = (patch: Partial<IntFormat>) => {
    const current = get().spec.recipe.format;
    if (current.kind !== 'int') return;
    lastInt = makeValid({ ...current, ...patch });
    setRecipeFormat(lastInt);
  };
  // Each method's parameters survive a detour through other methods.
  const lastTransforms: Partial<Record<RecipeTransformMethod, RecipeTransform>> = {};
  const setRecipeTransform = (transform: RecipeTransform | null) =>
    set(({ spec }) => {
      const { transform: _old, ...recipe } = spec.recipe;
      return { spec: { ...spec, recipe: transform ? { ...recipe, transform } : recipe } };
    });
  const granularity = (patch: Partial<Granularity>) =>
    set(({ spec }) => ({
      spec: { ...spec, recipe: { ...spec.recipe, granularity: { ...spec.recipe.granularity, ...patch } } },
    }));
  return {
    spec: DEFAULT_SPEC,
    setSpec: (spec) => {
      const valid = experimentSpecSchema.parse(spec);
      if (valid.source.kind === 'synthetic') lastSynthetic = valid.source; else lastModel = valid.source;
      set({ spec: valid });
    },
    setSourceKind: (kind) => {
      if (get().spec.source.kind !== kind) setSource(kind === 'synthetic' ? lastSynthetic : lastModel);
    },
    setModel: (model) => setSource(modelSourceSchema.parse({ kind: 'model', model: modelRefSchema.parse(model), tensor: null })),
    setTensor: (name) => {
      const s = get().spec.source;
      if (s.kind === 'model' && s.tensor !== name) setSource(modelSourceSchema.parse({ ...s, tensor: name }));
    },
    setDistribution: (distribution) => source({ distribution: src.distribution.parse(distribution) }),
    setSeed: (seed) => source({ seed: clampTo(src.seed, seed) }),
    newSeed: () => source({ seed: clampTo(src.seed, Math.floor(Math.random() * 0x100000000)) }),
    setOutlierChannels: (n) => source({ outlierChannels: Math.min(synthetic().cols, clampTo(src.outlierChannels, n)) }),
    setOutlierScale: (scale) => source({ outlierScale: clampTo(src.outlierScale, scale) }),
    setRecipe: (recipe) => {
      const valid = recipeSchema.parse(recipe);
      if (valid.format.kind === 'int') lastInt = valid.format;
      if (valid.format.kind === 'codebook') lastCodebook = valid.format;
      set(({ spec }) => ({ spec: { ...spec, recipe: valid } }));
    },
    setFormat: (id) => setRecipeFormat(id === 'int' ? lastInt : id === 'codebook' ? lastCodebook : registryFormatSchema.parse({ kind: 'format', id })),
    setCodebook: (levels, scaling) => {
      lastCodebook = userCodebookSchema.parse({ kind: 'codebook', levels, scaling });
      setRecipeFormat(lastCodebook);
    },
    setBits: (bits) => intPatch({ bits: clampTo(fmt.bits, bits) }),
    setIntMode: (mode) => intPatch({ mode: fmt.mode.parse(mode) }),
    setScaleEncoding: (scale) => intPatch({ scale: fmt.scale.parse(scale) }),
    setRounding: (rounding) => intPatch({ rounding: fmt.rounding.parse(rounding) }),
    setRoundingSeed: (seed) => intPatch({ seed: clampTo(fmt.seed, seed) }),
    setClip: (clip) => intPatch({ clip: clip.kind === 'percentile' ? { kind: 'percentile', p: Math.min(100, Math.max(90, Number.isNaN(clip.p) ? 99.9 : clip.p)) } : clip }),
    setGranularity: (kind) => granularity({ kind: gran.kind.parse(kind) }),
    setBlockSize: (size) => granularity({ blockSize: clampTo(gran.blockSize, size) }),
    setLogScale: (on) => set(({ spec }) => ({ spec: { ...spec, view: { ...spec.view, logScale: on } } })),
    setViewTab: (tab) => set(({ spec }) => ({ spec: { ...spec, view: { ...spec.view, tab: viewSchema.shape.tab.parse(tab) } } })),
    setEvaluation: (patch) => set(({ spec }) => ({
      spec: { ...spec, evaluation: evaluationSchema.parse({ ...(spec.evaluation ?? DEFAULT_EVALUATION), ...patch }) },
    })),
    setTransform: (method) => {
      if (method === 'none') return setRecipeTransform(null);
      const known = lastTransforms[method] ?? transformSchema.parse({ method, params: transformDescriptor(method).defaults });
      lastTransforms[method] = known;
      setRecipeTransform(known);
    },
    setTransformParams: (method, patch) => {
      const current = get().spec.recipe.transform;
      if (current?.method !== method) return;
      const params = { ...current.params, ...(clampToSchema(TRANSFORM_PARAMS[method], patch) as object) };
      const next = transformSchema.parse({ method, params });
      lastTransforms[method] = next;
      setRecipeTransform(next);
    },
  };
};
