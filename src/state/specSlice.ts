// state: the spec slice, the experiment spec and setters that always produce a new, valid spec.
import type { StateCreator } from 'zustand/vanilla';
import { DEFAULT_SPEC, DEFAULT_SYNTHETIC_SOURCE, EMBEDDED_MODEL_SOURCE, intFormat } from '../spec/defaults';
import {
  type Distribution, type ExperimentSpec, experimentSpecSchema, type Granularity, granularitySchema,
  type IntFormat, intFormatSchema, type ModelRef, modelRefSchema, modelSourceSchema, type Recipe, recipeSchema,
  registryFormatSchema, type RegistryFormatId, type SyntheticSource, syntheticSourceSchema, type UserCodebookFormat,
  userCodebookSchema,
} from '../spec/schema';

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
    setLogScale: (on) => set(({ spec }) => ({ spec: { ...spec, view: { logScale: on } } })),
  };
};
