// quant: one entry point that quantizes and dequantizes a tensor with any format of the library (the engine's CPU path).
import { assert } from '../lib/assert';
import { absmaxBitsPerWeight, dequantizeAbsmax, quantizeAbsmax, SCALE_BITS, type ScaleType } from './formats/absmax';
import type { ElementOptions } from './formats/elementOptions';
import { type Codebook, FP4_BNB, IQ4NL, NF2, NF3, NF4 } from './formats/codebooks';
import { E2M1, E2M3, E3M2, E4M3, E5M2, type FpFormat } from './formats/fp';
import { dequantizeIq4nl, iq4nlBitsPerWeight, quantizeIq4nl } from './formats/iq4nl';
import { dequantizeMx, MX_ELEMENTS, quantizeMx } from './formats/mx';
import { dequantizeNvfp4, quantizeNvfp4 } from './formats/nvfp4';
import { formatById, GGML_TYPE_OF } from './formats/registry';
import { ggmlRoundTrip, type GgmlBlockType } from './ggml';
import { dequantizeScaledFp, quantizeScaledFp } from './formats/scaledFp';
import { absMaxOf, type GroupKind, type GroupLayout, groupIndices, groupLayout } from './groups';
import { quantizeNonuniform } from './nonuniform/apply';
import { dequantizeUserCodebook, quantizeUserCodebook, userBitsPerWeight, type UserScaling } from './nonuniform/userCodebook';
import { dequantizeInt, groupLevels, intBitsPerWeight, type IntFormatParams, quantizeInt } from './int';

/**
 * Options of a registry format, each accepted only by the formats listed with it (see
 * {@link formatOptionsProblem}); absent fields keep the format's own definition.
 */
export interface FormatOptions extends ElementOptions {
  /**
   * Scale storage of the absmax codebooks ({@link SCALE_OPTION_FORMATS}): bitsandbytes keeps fp32
   * absmax (the default), IQ4_NL ggml's fp16 (its default); fp16 / bf16 / fp32 instead, RNE.
   */
  readonly scale?: ScaleType;
}

/** What to quantize with: the integer quantizer, or a registry format by id (src/quant/formats/registry.ts). */
export type FormatChoice =
  | { readonly kind: 'int'; readonly params: IntFormatParams }
  | { readonly kind: 'format'; readonly id: string; readonly options?: FormatOptions }
  | { readonly kind: 'codebook'; readonly levels: readonly number[]; readonly scaling: UserScaling };

/** A dequantized tensor with what the views need to explain it. */
export interface Quantization {
  readonly xhat: Float32Array;
  /** Each group's scale (the factor its levels are multiplied by), to find the widest group. */
  readonly groupScales: Float32Array;
  /** The values group g can represent, ascending. */
  levels(g: number): number[];
}

/** Codes plus every scale, zero point and tensor scale, per weight, for n weights in `groups` groups. */
export function bitsPerWeightOf(choice: FormatChoice, n: number, groups: number): number {
  if (choice.kind === 'int') return intBitsPerWeight(choice.params, n, groups);
  if (choice.kind === 'codebook') return userBitsPerWeight(choice.levels.length, choice.scaling, 'fp32', n, groups);
  const desc = formatById(choice.id);
  assert(desc, `unknown format "${choice.id}"`);
  const scale = choice.options?.scale;
  if (scale && choice.id === 'iq4_nl') return iq4nlBitsPerWeight(n, groups, scale);
  if (scale) return absmaxBitsPerWeight(desc.bits, scale, false, n, groups);
  return desc.bpw(n, groups); // rounding and a percentile clip store nothing
}

/** Formats whose scale storage is a choice (FormatOptions.scale). NF4 + double quant needs fp32 scales. */
export const SCALE_OPTION_FORMATS: readonly string[] = ['nf4', 'fp4-bnb', 'nf3', 'nf2', 'iq4_nl'];

/** FP element formats by registry id. */
export const FP_ELEMENTS: Readonly<Record<string, FpFormat>> = {
  'fp8-e4m3': E4M3, 'fp8-e5m2': E5M2, 'fp6-e3m2': E3M2, 'fp6-e2m3': E2M3, 'fp4-e2m1': E2M1,
};
/** Absmax-scaled codebooks by registry id ('nf4-dq' shares NF4's codes). */
export const ABSMAX_CODEBOOKS: Readonly<Record<string, Codebook>> = { nf4: NF4, 'nf4-dq': NF4, 'fp4-bnb': FP4_BNB, nf3: NF3, nf2: NF2 };

/** Formats that take rounding, seed and clip (FormatOptions' ElementOptions): the absmax-scaled FP elements and MX. */
export const ELEMENT_OPTION_FORMATS: readonly string[] = [...Object.keys(FP_ELEMENTS), ...Object.keys(MX_ELEMENTS)];

/** Why `options` do not fit format `id`, or null when they do (every field optional). */
export function formatOptionsProblem(id: string, options: FormatOptions | undefined): string | null {
  if (!options) return null;
  if (options.scale !== undefined) {
    if (!SCALE_OPTION_FORMATS.includes(id)) return `${id} has no scale storage choice (only ${SCALE_OPTION_FORMATS.join(', ')} do)`;
    if (!(options.scale in SCALE_BITS)) return `unknown scale storage "${options.scale}" (fp32, fp16 or bf16)`;
  }
  const element = options.rounding !== undefined || options.seed !== undefined || options.clip !== undefined;
  if (element && !ELEMENT_OPTION_FORMATS.includes(id)) return `${id} has no rounding or clipping options (only the FP element and MX formats do)`;
  if (options.rounding !== undefined && options.rounding !== 'nearest' && options.rounding !== 'stochastic') return `unknown rounding "${options.rounding}"`;
  if (options.seed !== undefined && !(Number.isInteger(options.seed) && options.seed >= 0 && options.seed <= 0xffffffff)) return `seed must be a u32, got ${options.seed}`;
  if (options.clip?.kind === 'percentile' && !(options.clip.p >= 90 && options.clip.p <= 100)) return `percentile clip p must be in [90, 100], got ${options.clip.p}`;
  return null;
}

/**
 * The group layout a choice uses: the recipe's granularity, except for formats that fix their
 * block (MX 32, NVFP4 16, IQ4_NL 32), which always use blocks of that size along rows.
 */
export function layoutFor(choice: FormatChoice, rows: number, cols: number, kind: GroupKind, blockSize: number): GroupLayout {
  const desc = choice.kind === 'format' ? formatById(choice.id) : undefined;
  if (desc?.fixedBlock) return desc.blockSize === 0 ? groupLayout(rows, cols, 'tensor') : groupLayout(rows, cols, 'block', desc.blockSize);
  return groupLayout(rows, cols, kind, blockSize);
}

/** Sorted distinct values of `scale * v` for the element values `values`. */
export function scaled(values: readonly number[], scale: number): number[] {
  return [...new Set(values.map((v) => Math.fround(v * scale)))].sort((a, b) => a - b);
}

/** Every finite element value of a codebook or element type, decoded from its codes. */
export function elementValues(bits: number, decode: (code: number) => number): number[] {
  return Array.from({ length: 1 << bits }, (_, c) => decode(c)).filter(Number.isFinite);
}

/** Quantizes then dequantizes `x` under `layout` with `choice`. */
export function quantizeWith(x: Float32Array, layout: GroupLayout, choice: FormatChoice): Quantization {
  if (choice.kind === 'int') {
    const q = quantizeInt(x, layout, choice.params);
    return { xhat: dequantizeInt(q), groupScales: q.scales, levels: (g) => groupLevels(choice.params, q.scales[g], q.zeros[g]) };
  }
  if (choice.kind === 'codebook') {
    const q = quantizeUserCodebook(x, layout, choice.levels, choice.scaling);
    const scales = choice.scaling === 'raw' ? new Float32Array(layout.groupCount).fill(1) : q.scales;
    return { xhat: dequantizeUserCodebook(q), groupScales: scales, levels: (g) => scaled(q.levels, scales[g]) };
  }
  const problem = formatOptionsProblem(choice.id, choice.options);
  assert(problem === null, problem ?? '');
  const options = choice.options;
  const fp = FP_ELEMENTS[choice.id];
  if (fp) {
    const q = quantizeScaledFp(x, layout, fp, options);
    return { xhat: dequantizeScaledFp(q), groupScales: q.scales, levels: (g) => scaled(fp.values, q.scales[g]) };
  }
  const book = ABSMAX_CODEBOOKS[choice.id];
  if (book) {
    const q = quantizeAbsmax(x, layout, book, options?.scale ?? 'fp32', choice.id === 'nf4-dq');
    return { xhat: dequantizeAbsmax(q), groupScales: q.scales, levels: (g) => scaled(book.levels, q.scales[g]) };
  }
  if (choice.id === 'iq4_nl') {
    const q = quantizeIq4nl(x, layout, options?.scale);
    const values = elementValues(4, IQ4NL.decode);
    return { xhat: dequantizeIq4nl(q), groupScales: q.scales.map(Math.abs), levels: (g) => scaled(values, q.scales[g]) };
  }
  if (choice.id === 'nvfp4') {
    const q = quantizeNvfp4(x, layout);
    const total = Float32Array.from(q.blockScales, (c) => Math.fround(q.tensorScale * E4M3.decode(c)));
    return { xhat: dequantizeNvfp4(q), groupScales: total, levels: (g) => scaled(E2M1.values, total[g]) };
  }
  const ggmlType = GGML_TYPE_OF[choice.id];
  if (ggmlType) return ggmlQuantization(x, layout, ggmlType);
  const nonuniform = quantizeNonuniform(x, layout, choice.id);
  if (nonuniform) return nonuniform;
  const element = MX_ELEMENTS[choice.id as keyof typeof MX_ELEMENTS];
  assert(element, `format "${choice.id}" has no quantizer`);
  const q = quantizeMx(x, layout, element, options);
  const scales = Float32Array.from(q.scales, (c) => 2 ** (c - 127));
  const values = elementValues(element.bits, element.decode);
  return { xhat: dequantizeMx(q), groupScales: scales, levels: (g) => scaled(values, scales[g]) };
}

/**
 * ggml formats quantize whole rows in their own blocks (32, or 256 for K-quant super-blocks, with
 * sub-block scales inside). Levels differ per sub-block, so a group's "levels" here are the distinct
 * values its block actually uses, and its scale for picking the widest block is its largest |value|.
 */
function ggmlQuantization(x: Float32Array, layout: GroupLayout, type: GgmlBlockType): Quantization {
  const xhat = ggmlRoundTrip(type, x, layout.lines, layout.lineLen);
  return { xhat, ...usedLevels(xhat, layout) };
}

/** Each group's largest |value| and the distinct values it uses: the "levels" of formats whose grid varies inside a group. */
export function usedLevels(xhat: Float32Array, layout: GroupLayout): Pick<Quantization, 'groupScales' | 'levels'> {
  const used = (g: number) => groupIndices(layout, g).map((i) => xhat[i]);
  const groupScales = Float32Array.from({ length: layout.groupCount }, (_, g) => absMaxOf(xhat, groupIndices(layout, g)));
  return { groupScales, levels: (g) => [...new Set(used(g))].sort((a, b) => a - b) };
}
