// quant: packing a linear weight with any format of quantizeWith that has a code-and-scale form (integers, FP/MX/NVFP4 elements, codebooks, ggml, binary/ternary/log2/LLM-FP4/Lloyd-Max).
import { assert } from '../../lib/assert';
import { f32 } from '../../lib/f32';
import { ABSMAX_CODEBOOKS, FP_ELEMENTS, type FormatChoice, layoutFor } from '../apply';
import { quantizeAbsmax } from '../formats/absmax';
import { E2M1, E4M3 } from '../formats/fp';
import { IQ4NL_VALUES } from '../formats/codebooks';
import { quantizeIq4nl } from '../formats/iq4nl';
import { MX_ELEMENTS, quantizeMx } from '../formats/mx';
import { quantizeNvfp4 } from '../formats/nvfp4';
import { GGML_TYPE_OF } from '../formats/registry';
import { quantizeScaledFp } from '../formats/scaledFp';
import { ggmlQuantizeTensor } from '../ggml';
import type { GroupKind, GroupLayout } from '../groups';
import { quantizeInt, resolveIntFormat } from '../int';
import { quantizeBinary } from '../nonuniform/binary';
import { quantizeFpSearch } from '../nonuniform/llmFp4';
import { quantizeLloydMax } from '../nonuniform/lloydMax';
import { logMagnitudes, quantizeLog } from '../nonuniform/log2';
import { quantizeTernary } from '../nonuniform/ternary';
import { quantizeUserCodebook } from '../nonuniform/userCodebook';
import { unpackCodes } from '../pack';
import { packGgml } from './fromGgml';
import { type PackedMode, type PackedWeights, packRows } from './weights';

/** The group fields of {@link PackedWeights} for a src/quant/groups.ts layout of an [n, k] weight. */
export function packedGrouping(layout: GroupLayout, n: number, k: number): Pick<PackedWeights, 'groupSize' | 'groupsPerRow'> {
  assert(layout.lines * layout.lineLen === n * k, `packedGrouping: the layout covers ${layout.lines * layout.lineLen} elements, the weight ${n * k}`);
  if (!layout.contiguous) return { groupSize: 1, groupsPerRow: 0 }; // column: group = column
  if (layout.groupCount === 1) return { groupSize: k, groupsPerRow: 0 }; // tensor (or a single row)
  assert(layout.lines === n, `packedGrouping: a ${layout.lines}-line layout is not one line per row of a ${n}-row weight`);
  return { groupSize: layout.groupSize, groupsPerRow: layout.groupsPerLine };
}

/** Element values of codes 0..2^bits − 1 as a table (codes a format never produces keep whatever decode gives, NaN included). */
function tableOf(bits: number, decode: (code: number) => number): Float32Array {
  return Float32Array.from({ length: 1 << bits }, (_, c) => decode(c));
}

/** Quantizer output in code-and-scale form: row-major codes of the whole tensor plus the per-mode arrays. */
interface Coded {
  readonly mode: Exclude<PackedMode, 'f32'>;
  readonly bits: number;
  readonly words: Uint32Array;
  readonly scales: Float32Array;
  readonly shifts?: Float32Array;
  readonly table?: Float32Array;
}

// The options quantizeNonuniform (src/quant/nonuniform/apply.ts) uses for these registry ids; a
// mismatch shows as a failed x̂ comparison in tests/unit/quant-packed.test.ts.
const LOG2_4 = { bits: 4, base: '2', rounding: 'log' } as const;
const LLOYD_MAX_4 = { bits: 4, scope: 'tensor', codebookType: 'fp16' } as const;

function codedFormat(w: Float32Array, layout: GroupLayout, id: string): Coded | null {
  const fp = FP_ELEMENTS[id];
  if (fp) {
    const q = quantizeScaledFp(w, layout, fp);
    return { mode: 'table', bits: fp.bits, words: q.words, scales: q.scales, table: tableOf(fp.bits, fp.decode) };
  }
  const book = ABSMAX_CODEBOOKS[id];
  if (book) {
    const q = quantizeAbsmax(w, layout, book, 'fp32', id === 'nf4-dq');
    return { mode: 'table', bits: book.bits, words: q.words, scales: q.scales, table: tableOf(book.bits, book.decode) };
  }
  const mx = MX_ELEMENTS[id as keyof typeof MX_ELEMENTS];
  if (mx) {
    const q = quantizeMx(w, layout, mx);
    return { mode: 'table', bits: mx.bits, words: q.words, scales: Float32Array.from(q.scales, (c) => 2 ** (c - 127)), table: tableOf(mx.bits, mx.decode) };
  }
  switch (id) {
    case 'nvfp4': {
      // dequantizeNvfp4 itself folds the two levels into f32(tensorScale · E4M3 block scale) before
      // the element product, so one f32 scale per block reproduces it bit for bit.
      const q = quantizeNvfp4(w, layout);
      const scales = Float32Array.from(q.blockScales, (c) => f32(q.tensorScale * E4M3.decode(c)));
      return { mode: 'table', bits: 4, words: q.words, scales, table: tableOf(4, E2M1.decode) };
    }
    case 'iq4_nl': {
      const q = quantizeIq4nl(w, layout);
      return { mode: 'table', bits: 4, words: q.words, scales: q.scales, table: Float32Array.from(IQ4NL_VALUES) };
    }
    case 'binary': {
      const q = quantizeBinary(w, layout, 'fp16');
      return { mode: 'table', bits: 1, words: q.words, scales: q.scales, table: Float32Array.of(-1, 1) };
    }
    case 'ternary-bitnet': {
      const q = quantizeTernary(w, layout);
      return { mode: 'affine', bits: 2, words: q.words, scales: q.scales, shifts: new Float32Array(q.scales.length).fill(1) };
    }
    case 'log2-4': {
      // decodeLog: sign bit 2^(b-1) over magnitude codes; f32(−m · s) = −f32(m · s), so a signed table is exact.
      const q = quantizeLog(w, layout, LOG2_4, 'fp16');
      const mags = logMagnitudes(LOG2_4), half = 1 << (LOG2_4.bits - 1);
      return { mode: 'table', bits: 4, words: q.words, scales: q.scales, table: tableOf(4, (c) => (c & half ? -mags[c - half] : mags[c])) };
    }
    case 'fp4-search': {
      const q = quantizeFpSearch(w, 4);
      return { mode: 'table', bits: q.format.bits, words: q.words, scales: Float32Array.of(q.scale), table: tableOf(q.format.bits, q.format.decode) };
    }
    case 'lloyd-max-4': {
      // Levels in the tensor's units: a table with scale 1 (f32(T · 1) = T).
      const q = quantizeLloydMax(w, layout, LLOYD_MAX_4);
      return { mode: 'table', bits: 4, words: q.words, scales: Float32Array.of(1), table: q.codebooks.slice(0, 16) };
    }
    default:
      return null;
  }
}

function coded(w: Float32Array, layout: GroupLayout, choice: FormatChoice): Coded {
  if (choice.kind === 'int') {
    const q = quantizeInt(w, layout, choice.params);
    return { mode: 'affine', bits: resolveIntFormat(choice.params).bits, words: q.words, scales: q.scales, shifts: q.zeros };
  }
  if (choice.kind === 'codebook') {
    const q = quantizeUserCodebook(w, layout, choice.levels, choice.scaling);
    const table = new Float32Array(1 << q.bits);
    table.set(q.levels);
    const scales = q.scaling === 'raw' ? new Float32Array(layout.groupCount).fill(1) : q.scales;
    return { mode: 'table', bits: q.bits, words: q.words, scales, table };
  }
  const c = codedFormat(w, layout, choice.id);
  if (!c) {
    throw new Error(`Format "${choice.id}" has no packed (code and scale) form: its weights cannot run through the packed matmul. `
      + 'Run this layer on the fp32 path with its dequantized weights (packDense) instead.');
  }
  return c;
}

/**
 * Quantizes W (f32[n · k], row-major: n outputs, k inputs) with `choice` exactly as
 * `quantizeWith(w, layoutFor(choice, n, k, kind, blockSize), choice)` does and keeps the result as
 * codes plus scales: dequantizePacked of the result equals that x̂ bit for bit. Groups follow
 * `layoutFor` (MX 32, NVFP4 16, IQ4_NL 32 and ggml blocks along rows; tensor, row, column or block
 * G otherwise). ggml formats need k to be a multiple of their block (32, 256 for Q4_K/Q6_K).
 * Throws for formats without a code-and-scale form (NUPES, PTQTP).
 */
export function packWeights(w: Float32Array, n: number, k: number, choice: FormatChoice, kind: GroupKind, blockSize: number): PackedWeights {
  assert(w.length === n * k, `packWeights: ${w.length} values for a ${n}×${k} weight`);
  // Scale storage, stochastic rounding and clipping options change the codes; they are not packed yet.
  assert(choice.kind !== 'format' || !choice.options || Object.values(choice.options).every((v) => v === undefined),
    `packWeights: ${choice.kind === 'format' ? choice.id : ''} with format options has no packed form yet; run its dequantized weights (packDense)`);
  if (choice.kind === 'format' && GGML_TYPE_OF[choice.id]) {
    const type = GGML_TYPE_OF[choice.id];
    return packGgml(type, ggmlQuantizeTensor(type, w, n, k), n, k);
  }
  const layout = layoutFor(choice, n, k, kind, blockSize);
  const c = coded(w, layout, choice);
  const none = new Float32Array(0);
  return {
    n, k, bits: c.bits, mode: c.mode, ...packedGrouping(layout, n, k),
    codes: packRows(unpackCodes(c.words, c.bits, n * k), n, k, c.bits),
    scales: c.scales, shifts: c.shifts ?? none, table: c.table ?? none,
  };
}
