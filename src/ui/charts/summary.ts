// ui/charts: the text summary each chart carries for screen readers (its key numbers in one or two sentences).
import { formatCount, formatShort } from '../format';
import { binEdges } from './figure';

/** e.g. "1,048,576 original weights in 128 bins from −0.25 to 0.31; the fullest bin, [−0.002, 0.003), holds 41,210." */
export function histogramSummary(what: string, counts: readonly number[], lo: number, hi: number): string {
  const total = counts.reduce((a, b) => a + b, 0);
  const { left, width } = binEdges(lo, hi, counts.length);
  const top = counts.reduce((best, c, i) => (c > counts[best] ? i : best), 0);
  return `${formatCount(total)} ${what} in ${counts.length} bins from ${formatShort(lo)} to ${formatShort(hi)}; `
    + `the fullest bin, [${formatShort(left[top])}, ${formatShort(left[top] + width)}), holds ${formatCount(counts[top])}.`;
}

/** e.g. "16 quantization levels of block 3 of row 17, from −0.2 to 0.2." */
export function levelsSummary(levels: readonly number[], where: string): string {
  if (levels.length === 0) return '';
  return `${levels.length} quantization levels of ${where}, from ${formatShort(levels[0])} to ${formatShort(levels[levels.length - 1])}.`;
}
