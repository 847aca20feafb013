// spec: the experiment spec, a small serialisable description of everything the user sees.
import { z } from 'zod';
import { transformSchema } from './transformSchema';

/** Current spec version; bump it and add a migration when the shape changes. */
export const SPEC_VERSION = 1;

export const DISTRIBUTIONS = ['gaussian', 'laplace', 'student-t', 'uniform'] as const;
export const GRANULARITIES = ['tensor', 'row', 'column', 'block'] as const;

export const syntheticSourceSchema = z.object({
  kind: z.literal('synthetic'),
  rows: z.number().int().min(1).max(8192),
  cols: z.number().int().min(1).max(8192),
  distribution: z.enum(DISTRIBUTIONS),
  seed: z.number().int().min(0).max(0xffffffff),
  /** Number of input channels (columns) scaled up to mimic LLM outlier features. */
  outlierChannels: z.number().int().min(0).max(256),
  /** Factor those channels are multiplied by. */
  outlierScale: z.number().min(1).max(1000),
});

/** Hugging Face repo ids: "owner/name" (the hub's own character set). */
export const HUB_REPO_PATTERN = /^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/;

/** Which model a tensor comes from. Local files are named by name, size and content hash, never by path. */
export const modelRefSchema = z.discriminatedUnion('kind', [
  /** A model shipped with the app under public/models/<name>/. */
  z.object({ kind: z.literal('embedded'), name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/) }),
  /** A Hugging Face repo at a revision; `file` picks a .gguf in it instead of the safetensors weights. */
  z.object({
    kind: z.literal('hub'),
    repo: z.string().regex(HUB_REPO_PATTERN, 'a repo id looks like "owner/name"'),
    revision: z.string().regex(/^[\w.-]{1,100}$/, 'a revision is a branch, tag or commit'),
    file: z.string().regex(/^[\w./-]{1,200}\.gguf$/).optional(),
  }),
  /** Files the user dropped: a .gguf, or config.json + *.safetensors (+ tokenizer.json). */
  z.object({
    kind: z.literal('local'),
    name: z.string().min(1).max(255),
    bytes: z.number().int().min(0),
    /** sha256 (hex) of the weights file (the first shard when sharded), so a receiver can check they dropped the same file; absent over 1 GiB. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  }),
]);

/** One tensor of a model; `tensor` null means "the model's default tensor" (the engine picks and reports it). */
export const modelSourceSchema = z.object({
  kind: z.literal('model'),
  model: modelRefSchema,
  tensor: z.string().min(1).max(300).nullable(),
});

export const sourceSchema = z.discriminatedUnion('kind', [syntheticSourceSchema, modelSourceSchema]);

export const INT_MODE_IDS = ['sym', 'sym-full', 'asym', 'asym-float'] as const;
export const SCALE_ENCODING_IDS = ['fp32', 'fp16', 'bf16', 'e4m3', 'e8m0'] as const;

/** Clipping before quantization: none, the p-th percentile of |x| per tensor, or a per-group MSE search. */
export const intClipSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('percentile'), p: z.number().min(90).max(100) }),
  z.object({ kind: z.literal('mse') }),
]);

/** The integer quantizer (src/quant/int.ts); combinations it refuses are refused here too. */
export const intFormatSchema = z.object({
  kind: z.literal('int'),
  bits: z.number().int().min(1).max(8),
  /** sym: absmax, ±(2^(b-1)-1); sym-full: [-2^(b-1), 2^(b-1)-1]; asym: GPTQ integer zero point; asym-float: HQQ float zero point. */
  mode: z.enum(INT_MODE_IDS),
  /** How each group's scale is stored. */
  scale: z.enum(SCALE_ENCODING_IDS),
  rounding: z.enum(['nearest', 'stochastic']),
  /** Seed of stochastic rounding. */
  seed: z.number().int().min(0).max(0xffffffff),
  clip: intClipSchema,
}).superRefine((f, ctx) => {
  // Ranges are checked above; these are the combinations src/quant/int.ts refuses.
  if ((f.mode === 'sym' || f.mode === 'sym-full') && f.bits < 2) ctx.addIssue({ code: 'custom', path: ['bits'], message: `${f.mode} needs at least 2 bits` });
  if (f.mode === 'asym-float' && f.scale === 'e8m0') ctx.addIssue({ code: 'custom', path: ['scale'], message: 'a float zero point cannot be stored as E8M0' });
});

/** Ids of the registry formats (src/quant/formats/registry.ts), listed here so links validate without the registry. */
export const REGISTRY_FORMAT_IDS = [
  'q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q4_k', 'q6_k',
  'fp8-e4m3', 'fp8-e5m2', 'fp6-e3m2', 'fp6-e2m3', 'fp4-e2m1',
  'mxfp8_e4m3', 'mxfp8_e5m2', 'mxfp6_e3m2', 'mxfp6_e2m3', 'mxfp4', 'mxint8',
  'nvfp4', 'nf4', 'nf4-dq', 'fp4-bnb', 'nf3', 'nf2', 'iq4_nl',
  'lloyd-max-4', 'log2-4', 'nupes-4', 'fp4-search', 'binary', 'ternary-bitnet', 'ptqtp',
] as const;

/** Formats whose scale storage is a choice (src/quant/apply.ts SCALE_OPTION_FORMATS; a test keeps them equal). */
export const SCALE_OPTION_FORMAT_IDS = ['nf4', 'fp4-bnb', 'nf3', 'nf2', 'iq4_nl'] as const;
/** Scale storages offered for them. */
export const FORMAT_SCALE_IDS = ['fp32', 'fp16', 'bf16'] as const;
/** Formats that take rounding, seed and clip (src/quant/apply.ts ELEMENT_OPTION_FORMATS): absmax-scaled FP elements and MX. */
export const ELEMENT_OPTION_FORMAT_IDS = [
  'fp8-e4m3', 'fp8-e5m2', 'fp6-e3m2', 'fp6-e2m3', 'fp4-e2m1',
  'mxfp8_e4m3', 'mxfp8_e5m2', 'mxfp6_e3m2', 'mxfp6_e2m3', 'mxfp4', 'mxint8',
] as const;

/**
 * A format from the library's registry, by id, with optional settings (absent: the format's own
 * definition, so links made before these fields existed mean what they meant):
 * - `scale`: how each group's scale is stored, for SCALE_OPTION_FORMAT_IDS (bitsandbytes: fp32 by
 *   default; IQ4_NL: fp16, ggml's, by default);
 * - `rounding`, `seed`, `clip`: for ELEMENT_OPTION_FORMAT_IDS, seeded stochastic rounding onto the
 *   element grid and a per-tensor percentile clip of the group absmax.
 */
export const registryFormatSchema = z.object({
  kind: z.literal('format'),
  id: z.enum(REGISTRY_FORMAT_IDS),
  scale: z.enum(FORMAT_SCALE_IDS).optional(),
  rounding: z.enum(['nearest', 'stochastic']).optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  clip: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({ kind: z.literal('percentile'), p: z.number().min(90).max(100) }),
  ]).optional(),
}).superRefine((f, ctx) => {
  const has = (list: readonly string[]) => list.includes(f.id);
  if (f.scale !== undefined && !has(SCALE_OPTION_FORMAT_IDS)) {
    ctx.addIssue({ code: 'custom', path: ['scale'], message: `${f.id} has no scale storage choice (${SCALE_OPTION_FORMAT_IDS.join(', ')} do)` });
  }
  for (const key of ['rounding', 'seed', 'clip'] as const) {
    if (f[key] !== undefined && !has(ELEMENT_OPTION_FORMAT_IDS)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `${f.id} has no ${key} setting (only the FP element and MX formats do)` });
    }
  }
});

/** A codebook the user typed: its levels (2..256, distinct) scaled by each group's absmax, or used as raw values. */
export const userCodebookSchema = z.object({
  kind: z.literal('codebook'),
  levels: z.array(z.number().finite()).min(2).max(256).refine((l) => new Set(l.map(Math.fround)).size === l.length, 'levels must be distinct'),
  scaling: z.enum(['absmax', 'raw']),
});

export const granularitySchema = z.object({
  kind: z.enum(GRANULARITIES),
  /** Elements per block along a row; used when kind is 'block'. */
  blockSize: z.number().int().min(1).max(1 << 20),
});

export const recipeSchema = z.object({
  /** The step before the format (Hadamard rotation, outlier retention, ...); absent: none, so older links keep their meaning. */
  transform: transformSchema.optional(),
  format: z.discriminatedUnion('kind', [intFormatSchema, registryFormatSchema, userCodebookSchema]),
  granularity: granularitySchema,
});

/** The views, in tab order. */
export const VIEW_TABS = ['tensor', 'outliers', 'model', 'evaluate'] as const;

export const viewSchema = z.object({
  /** Log-scale count axis on the histograms (tails matter). */
  logScale: z.boolean(),
  /** The open view (absent: the Tensor view). */
  tab: z.enum(VIEW_TABS).optional(),
});

/** Characters of user text a link carries at most (compressed in the link). */
export const MAX_EVAL_TEXT = 20_000;

/** What the Evaluate view measures: the text, how much of it, the sliding-window protocol, the blocks kept in full precision. */
export const evaluationSchema = z.object({
  text: z.discriminatedUnion('kind', [
    /** The embedded model's held-out validation text. */
    z.object({ kind: z.literal('bundled') }),
    z.object({ kind: z.literal('user'), text: z.string().max(MAX_EVAL_TEXT) }),
  ]),
  maxTokens: z.number().int().min(16).max(8192),
  context: z.number().int().min(8).max(8192),
  stride: z.number().int().min(1).max(8191),
  keepLayers: z.array(z.number().int().min(0).max(1023)).max(256),
});

export const experimentSpecSchema = z.object({
  version: z.literal(SPEC_VERSION),
  source: sourceSchema,
  recipe: recipeSchema,
  view: viewSchema,
  /** The Evaluate view's settings (absent: the defaults). */
  evaluation: evaluationSchema.optional(),
});

export type Distribution = (typeof DISTRIBUTIONS)[number];
export type Granularity = z.infer<typeof granularitySchema>;
export type Evaluation = z.infer<typeof evaluationSchema>;
export type ViewTab = (typeof VIEW_TABS)[number];
export type SyntheticSource = z.infer<typeof syntheticSourceSchema>;
export type ModelRef = z.infer<typeof modelRefSchema>;
export type ModelSource = z.infer<typeof modelSourceSchema>;
export type Source = z.infer<typeof sourceSchema>;
export type IntFormat = z.infer<typeof intFormatSchema>;
export type RegistryFormat = z.infer<typeof registryFormatSchema>;
export type UserCodebookFormat = z.infer<typeof userCodebookSchema>;
export type RegistryFormatId = (typeof REGISTRY_FORMAT_IDS)[number];
export type Recipe = z.infer<typeof recipeSchema>;
export type ExperimentSpec = z.infer<typeof experimentSpecSchema>;
