// tests: quantizeInt on a 1 x n tensor as one group, returned as the plain numbers the hand-checked integer tests compare (quant-int*.test.ts).
import { groupLayout } from '../../src/quant/groups';
import { dequantizeInt, type IntFormatParams, quantizeInt } from '../../src/quant/int';
import { unpackCodes } from '../../src/quant/pack';

/** One group's stored scale and zero point, the MSE clip search's chosen ratio index, the codes and x̂. */
export function oneGroupWithRatio(values: number[], format: IntFormatParams) {
  const x = Float32Array.from(values);
  const q = quantizeInt(x, groupLayout(1, x.length, 'tensor'), format);
  return {
    scale: q.scales[0], zero: q.zeros[0], ratio: q.clipRatio[0],
    codes: Array.from(unpackCodes(q.words, format.bits, x.length)),
    xhat: Array.from(dequantizeInt(q)),
  };
}

/** {@link oneGroupWithRatio} without the clip ratio (for formats without the MSE search). */
export function oneGroup(values: number[], format: IntFormatParams) {
  const { scale, zero, codes, xhat } = oneGroupWithRatio(values, format);
  return { scale, zero, codes, xhat };
}
