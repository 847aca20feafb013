// quant: the non-uniform and extreme low-bit methods behind quantizeWith (src/quant/apply.ts), each with its levels per group.
import { f32 } from '../../lib/f32';
import type { Quantization } from '../apply';
import type { ScaleType } from '../formats/absmax';
import type { GroupLayout } from '../groups';
import { dequantizeBinary, quantizeBinary } from './binary';
import { dequantizeFpSearch, quantizeFpSearch } from './llmFp4';
import { dequantizeLloydMax, quantizeLloydMax } from './lloydMax';
import { decodeLog, dequantizeLog, logMagnitudes, quantizeLog } from './log2';
import { dequantizeNupes, nupesLevels, quantizeNupes } from './nupes';
import { dequantizePtqtp, ptqtpLevels, ptqtpReach, quantizePtqtp } from './ptqtp';
import { dequantizeTernary, quantizeTernary } from './ternary';

const sortedUnique = (values: Iterable<number>) => [...new Set(values)].sort((a, b) => a - b);
const ones = (g: number) => new Float32Array(g).fill(1);

/** Code bits of the registry's 'nupes-4'. */
export const NUPES_REGISTRY_BITS = 4;
/** Scale storage of the registry's 'ptqtp'. */
export const PTQTP_REGISTRY_SCALE: ScaleType = 'fp16';

/** The method registered under `id` (src/quant/formats/registry.ts), or null when `id` is not one of these. */
export function quantizeNonuniform(x: Float32Array, layout: GroupLayout, id: string): Quantization | null {
  switch (id) {
    case 'lloyd-max-4': {
      const q = quantizeLloydMax(x, layout, { bits: 4, scope: 'tensor', codebookType: 'fp16' });
      return { xhat: dequantizeLloydMax(q), groupScales: ones(layout.groupCount), levels: () => sortedUnique(q.codebooks.subarray(0, 16)) };
    }
    case 'log2-4': {
      const format = { bits: 4, base: '2', rounding: 'log' } as const;
      const q = quantizeLog(x, layout, format, 'fp16');
      const mags = logMagnitudes(format);
      const levels = (g: number) => sortedUnique(Array.from({ length: 16 }, (_, c) => decodeLog(c, q.scales[g], mags, 4)));
      return { xhat: dequantizeLog(q), groupScales: q.scales, levels };
    }
    case 'nupes-4': {
      const q = quantizeNupes(x, layout, NUPES_REGISTRY_BITS);
      return { xhat: dequantizeNupes(q), groupScales: q.inner.scales, levels: (g) => nupesLevels(NUPES_REGISTRY_BITS, q.a, q.inner.scales[g]) };
    }
    case 'fp4-search': {
      const q = quantizeFpSearch(x, 4);
      return { xhat: dequantizeFpSearch(q), groupScales: ones(1), levels: () => sortedUnique(q.format.values.map((v) => f32(v * q.scale))) };
    }
    case 'binary': {
      const q = quantizeBinary(x, layout, 'fp16');
      return { xhat: dequantizeBinary(q), groupScales: q.scales, levels: (g) => [-q.scales[g], q.scales[g]] };
    }
    case 'ternary-bitnet': {
      const q = quantizeTernary(x, layout);
      return { xhat: dequantizeTernary(q), groupScales: q.scales, levels: (g) => sortedUnique([-q.scales[g], 0, q.scales[g]]) };
    }
    case 'ptqtp': {
      const q = quantizePtqtp(x, layout, PTQTP_REGISTRY_SCALE);
      return { xhat: dequantizePtqtp(q), groupScales: ptqtpReach(q.scales), levels: (g) => ptqtpLevels(q.scales[2 * g], q.scales[2 * g + 1]) };
    }
    default:
      return null;
  }
}
