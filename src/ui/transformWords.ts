// ui: words for the transform step and the Outliers view: parameter hints, what a method did, the anatomy and channel profiles in sentences (pure, unit-tested).
import type { ResultMetrics, SeedError, TransformOutcome } from '../engine/types';
import type { ChannelProfile, OutlierAnatomy } from '../quant/transforms/anatomy';
import { formatBits, formatCount, formatDb, formatFixed, formatShort, formatSig } from './format';

/** One-line explanations of each transform parameter (hover or focus). */
export const TRANSFORM_PARAM_HINTS = {
  seed: 'Seed of the random ±1 signs applied before the Hadamard matrix (QuaRot\'s randomized Hadamard); the same seed gives the same rotation on CPU and GPU.',
  signs: 'Random signs make the rotation incoherent with any fixed pattern of the weights; without them it is the plain Hadamard matrix.',
  block: 'Rotate each whole row, or independent blocks along it (block-diagonal): smaller blocks spread an outlier over fewer weights.',
  axis: 'What stays in fp16: whole input channels (columns, as LLM.int8()), whole output channels (rows), or single weights (PB-LLM, SqueezeLLM).',
  select: 'Keep the N most salient, or every one at or above a threshold.',
  count: 'How many stay in fp16; a kept column costs 16 bits per row plus its index.',
  threshold: 'Keep every channel whose salience (or weight whose |w|) is at or above this value, in weight units.',
  score: 'Channel salience: L2 norm (large throughout: LLM.int8()\'s outlier features) or largest |w| (also catches a single spike).',
  by: 'Sort input channels by largest |w| or by L2 norm before blocking, so the large ones share blocks.',
  scope: 'Fit the three clusters to the whole tensor (as the paper does) or to each row.',
  init: 'Start k-means at the 0.1st percentile, the median and the 99.9th percentile (deterministic), or by seeded k-means++.',
  splitSeed: 'Seed of the k-means++ draws.',
  rank: 'Singular directions kept in fp16: each costs (rows + cols) × 16 bits; 0 is plain quantization.',
  order: 'Split: take the top singular directions out of W and quantize the rest (Metis). LoRC: quantize W, then add back the top directions of the error (ZeroQuant-V2).',
  factorType: 'How the low-rank factors U·S and V are stored.',
  range: 'Clip symmetric formats around zero (absmax), or shrink min and max separately (for the asymmetric integer modes).',
  dim: 'Weights per sub-vector d: every d consecutive weights of a row become one codeword index.',
  vqBits: 'Index bits b: 2^b codewords per codebook; b / d bits per weight plus the fp16 codebook.',
  vqSeed: 'Seed of the k-means++ draws and of the training sample.',
} as const;

const pct = (f: number) => `${formatFixed(100 * f, f < 0.01 ? 2 : 1)} %`;
const AXIS = { column: 'input columns', row: 'output rows', element: 'weights' } as const;

/** What the method did, in a sentence or two (kept channels, rank and energy, chosen clip ratios, codebooks...). */
export function transformFacts(t: TransformOutcome, rows: number, cols: number): string[] {
  switch (t.method) {
    case 'hadamard': {
      const { block, order } = t.info;
      const fwht = `a ${formatCount(block / order)}-point fast Walsh–Hadamard transform`;
      const shape = order > 1 ? `a Hadamard matrix of order ${order} ⊗ ${fwht}` : fwht;
      const where = block === cols ? `each whole row of ${formatCount(cols)} weights` : `blocks of ${formatCount(block)} weights along each row`;
      const signs = t.rotation.seed === null ? 'no random signs' : `random signs from seed ${t.rotation.seed}`;
      return [`Rotates ${where} (${shape}, ${signs}); the activations would be rotated the same way at run time.`];
    }
    case 'retention': {
      const axis = t.step.method === 'retention' ? t.step.params.axis : 'column';
      const of = axis === 'element' ? rows * cols : axis === 'column' ? cols : rows;
      const head = t.info.indices.slice(0, 8).join(', ');
      return [`${formatCount(t.info.kept)} of ${formatCount(of)} ${AXIS[axis]} kept in fp16 (positions stored as ${t.info.positions === 'bitmask' ? 'a bitmask' : 'indices'})${head ? `: ${head}${t.info.kept > 8 ? ', …' : ''}` : ''}.`];
    }
    case 'reorder':
      return [`${formatCount(t.info.moved)} of ${formatCount(cols)} input columns moved before blocking, and moved back after.`];
    case 'splitquant': {
      const [lower, middle, upper] = t.info.counts;
      const centres = t.info.centres.map((c) => formatShort(c, 3)).join(', ');
      return [`Clusters: ${formatCount(lower)} lower, ${formatCount(middle)} middle, ${formatCount(upper)} upper weights (centres ${centres}), each quantized with its own scales.`];
    }
    case 'lowrank': {
      if (t.info.rank === 0) return ['Rank 0: plain quantization.'];
      const what = t.step.method === 'lowrank' && t.step.params.order === 'lorc' ? 'the quantization error\'s' : 'W\'s';
      const top = t.info.singularValues.slice(0, 4).map((s) => formatShort(s, 3)).join(', ');
      return [`Rank ${t.info.rank} keeps ${pct(t.info.energy)} of ${what} energy in fp16; largest singular values ${top}${t.info.rank > 4 ? ', …' : ''}.`];
    }
    case 'clip-search': {
      const used = t.info.ratios.map((r, k) => [r, t.info.histogram[k]] as const).filter(([, n]) => n > 0);
      const spread = used.slice(0, 6).map(([r, n]) => `${formatFixed(r, 2)} × ${formatCount(n)}`).join(', ');
      return [`Mean clip ratio ${formatFixed(t.info.meanRatio, 3)} over the groups (ratio × groups: ${spread}${used.length > 6 ? ', …' : ''}).`];
    }
    case 'vq': {
      const { codebooks, codewords, objective, indexBitsPerWeight, codebookBitsPerWeight } = t.info;
      const fit = objective.length > 1 ? `; k-means objective ${formatSig(objective[0])} → ${formatSig(objective[objective.length - 1])}` : '';
      return [`${formatCount(codebooks)} codebook${codebooks === 1 ? '' : 's'} of ${formatCount(codewords)} codewords: ${formatBits(indexBitsPerWeight)} index + ${formatBits(codebookBitsPerWeight)} codebook bits per weight${fit}.`];
    }
  }
}

/** "SQNR 17.8 dB against 12.3 dB for the format alone (+5.5 dB), at 4.500 against 4.500 bits per weight." */
export function gainSentence(withIt: ResultMetrics, alone: ResultMetrics): string {
  const gain = withIt.sqnrDb - alone.sqnrDb;
  const sign = gain >= 0 ? '+' : '−';
  return `SQNR ${formatDb(withIt.sqnrDb)} against ${formatDb(alone.sqnrDb)} for the format alone (${sign}${Math.abs(gain).toFixed(1)} dB), `
    + `at ${formatBits(withIt.bitsPerWeight)} against ${formatBits(alone.bitsPerWeight)} bits per weight.`;
}

/**
 * "Over sign seeds 0, 1, 2, 3 the SQNR runs from 19.78 to 19.82 dB (0.04 dB apart; MSE within 0.9 %)": seeds
 * differ by hundredths of a dB, so this sentence (unlike the panel) shows two decimals.
 */
export function seedSpreadSentence(seeds: readonly SeedError[]): string {
  if (seeds.length === 0) return '';
  const db = seeds.map((s) => s.sqnrDb), mse = seeds.map((s) => s.mse);
  const lo = Math.min(...db), hi = Math.max(...db);
  const within = Math.max(...mse) / Math.min(...mse) - 1;
  return `Over sign seeds ${seeds.map((s) => s.seed).join(', ')} the SQNR runs from ${lo.toFixed(2)} to ${hi.toFixed(2)} dB `
    + `(${(hi - lo).toFixed(2)} dB apart; MSE within ${pct(within)}), measured in the rotated basis.`;
}

/** The LLM.int8()-style count: how many input columns the outlier threshold would keep in 16-bit, and what that costs. */
export function int8Sentence(a: OutlierAnatomy): string {
  const { columns, fraction, threshold, rule, keepBitsPerWeight } = a.int8;
  const how = rule === 'median-multiple' ? `${formatShort(threshold, 3)}, 6 × the median column's largest |w|` : formatShort(threshold, 3);
  return `${formatCount(columns)} of ${formatCount(a.cols)} input columns (${pct(fraction)}) reach the LLM.int8()-style threshold (${how}); `
    + `keeping them in 16-bit would add ${formatBits(keepBitsPerWeight)} bits per weight.`;
}

/** The anatomy in one sentence: how far the largest weight sits from the bulk, how heavy the tails are, how uneven the columns are. */
export function anatomySentence(a: OutlierAnatomy): string {
  const ratio = a.colAbsmax.max / a.colAbsmax.median;
  return `The largest |w|, ${formatShort(a.absmax, 3)}, is ${formatFixed(a.absmax / a.std, 1)} standard deviations out; kurtosis ${formatSig(a.kurtosis)} `
    + `(a Gaussian has 3). The largest input column's absmax is ${formatFixed(ratio, 1)} × the median column's: `
    + `${ratio > 3 ? 'a few channels set the range every shared scale must cover.' : 'no channel stands out much.'}`;
}

/** A profile for screen readers: count, median, maximum with where, and the largest channels. */
export function profileSummary(what: string, channel: 'column' | 'row', p: ChannelProfile): string {
  const top = p.top.slice(0, 5).map((t) => `${channel} ${t.index} (${formatShort(t.value, 3)})`).join(', ');
  return `${what} of ${formatCount(p.count)} ${channel}s: median ${formatShort(p.median, 3)}, maximum ${formatShort(p.max, 3)}. Largest: ${top}.`;
}
