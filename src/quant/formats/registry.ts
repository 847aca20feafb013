// quant: the frozen registry of element and block formats: what the UI lists and how each counts its bits.
import { absmaxBitsPerWeight } from './absmax';
import { iq4nlBitsPerWeight } from './iq4nl';
import { MX_ELEMENTS, mxBitsPerWeight } from './mx';
import { nvfp4BitsPerWeight } from './nvfp4';
import { scaledFpBitsPerWeight } from './scaledFp';
import { GGML_FORMATS, type GgmlBlockType } from '../ggml';
import { binaryBitsPerWeight } from '../nonuniform/binary';
import { fpSearchBitsPerWeight } from '../nonuniform/llmFp4';
import { lloydMaxBitsPerWeight } from '../nonuniform/lloydMax';
import { logBitsPerWeight } from '../nonuniform/log2';
import { nupesBitsPerWeight } from '../nonuniform/nupes';
import { ptqtpBitsPerWeight } from '../nonuniform/ptqtp';
import { ternaryBitsPerWeight } from '../nonuniform/ternary';

/** Which family a format belongs to (drives grouping in the picker). */
export type FormatFamily = 'ggml' | 'fp-element' | 'mx' | 'nvfp4' | 'codebook' | 'nonuniform' | 'lowbit';

/** One registry entry. */
export interface FormatDescriptor {
  readonly id: string;
  readonly label: string;
  readonly family: FormatFamily;
  /** Bits per element code. */
  readonly bits: number;
  /** Default block size in elements (0: the recipe's granularity decides, or the whole tensor when fixed). */
  readonly blockSize: number;
  /** True when the format defines its block size (MX 32, NVFP4 16, IQ4_NL 32; 0 = the whole tensor) and the recipe cannot change it. */
  readonly fixedBlock: boolean;
  /** How the per-group scale is stored ('none' for plain element formats). */
  readonly scaleType: 'none' | 'e8m0' | 'e4m3+fp32' | 'fp32' | 'fp16' | 'fp32+dq8' | 'codebook' | 'fp32+fp32' | 'fp16+min' | 'k-quant';
  /** Honest bits per weight for n elements in groupCount groups (codes + every scale). */
  readonly bpw: (n: number, groups: number) => number;
  /** One line for the UI. */
  readonly explanation: string;
  /** Where the definition comes from. */
  readonly source: string;
}

const OCP_MX = 'OCP Microscaling Formats (MX) v1.0';

/** Registry id of each ggml block type we implement. */
export const GGML_TYPE_OF: Readonly<Record<string, GgmlBlockType>> = {
  q8_0: 'Q8_0', q4_0: 'Q4_0', q4_1: 'Q4_1', q5_0: 'Q5_0', q5_1: 'Q5_1', q4_k: 'Q4_K', q6_k: 'Q6_K',
};

const GGML_SOURCE = (fn: string) => `ggml src/ggml-quants.c ${fn}; block layout src/ggml-common.h`;

const entries: FormatDescriptor[] = [
  ...([
    ['q8_0', 'Q8_0', 8, 'fp16', '32 int8 codes with an fp16 scale absmax/127.', 'quantize_row_q8_0_ref'],
    ['q4_0', 'Q4_0', 4, 'fp16', '32 4-bit codes, fp16 scale from the signed extreme / -8.', 'quantize_row_q4_0_ref'],
    ['q4_1', 'Q4_1', 4, 'fp16+min', '32 4-bit codes over [min, max]: fp16 scale and fp16 min.', 'quantize_row_q4_1_ref'],
    ['q5_0', 'Q5_0', 5, 'fp16', '32 5-bit codes (nibbles + a high-bit mask), fp16 scale.', 'quantize_row_q5_0_ref'],
    ['q5_1', 'Q5_1', 5, 'fp16+min', '32 5-bit codes over [min, max]: fp16 scale and min.', 'quantize_row_q5_1_ref'],
    ['q4_k', 'Q4_K', 4, 'k-quant', 'Super-blocks of 256: 8×32 with searched 6-bit scales and mins under fp16 super-scales.', 'make_qkx2_quants, quantize_row_q4_K_ref'],
    ['q6_k', 'Q6_K', 6, 'k-quant', 'Super-blocks of 256: 16×16 6-bit codes with searched int8 scales under an fp16 super-scale.', 'make_qx_quants, quantize_row_q6_K_ref'],
  ] as const).map(([id, label, bits, scaleType, explanation, fn]): FormatDescriptor => {
    const f = GGML_FORMATS[GGML_TYPE_OF[id]];
    return {
      id, label: `llama.cpp ${label}`, family: 'ggml', bits, blockSize: f.blockSize, fixedBlock: true, scaleType,
      bpw: () => f.bitsPerWeight, explanation, source: GGML_SOURCE(fn),
    };
  }),
  ...([
    ['fp8-e4m3', 'FP8 E4M3', 8, 'max 448, no infinities', 'OCP 8-bit Floating Point Specification (OFP8) v1.0'],
    ['fp8-e5m2', 'FP8 E5M2', 8, 'max 57344, IEEE-style inf/NaN', 'OCP 8-bit Floating Point Specification (OFP8) v1.0'],
    ['fp6-e3m2', 'FP6 E3M2', 6, 'max 28, no inf/NaN', `${OCP_MX} §5.3.2`],
    ['fp6-e2m3', 'FP6 E2M3', 6, 'max 7.5, no inf/NaN', `${OCP_MX} §5.3.2`],
    ['fp4-e2m1', 'FP4 E2M1', 4, '±{0, 0.5, 1, 1.5, 2, 3, 4, 6}', `${OCP_MX} §5.3.3`],
  ] as const).map(([id, label, bits, values, source]): FormatDescriptor => ({
    id, label, family: 'fp-element', bits, blockSize: 0, fixedBlock: false, scaleType: 'fp32',
    bpw: (n, g) => scaledFpBitsPerWeight(bits, n, g),
    explanation: `${bits}-bit float (${values}), scaled by each group's absmax to the format's max.`, source,
  })),
  ...([
    ['mxfp8_e4m3', 'MXFP8 (E4M3)'], ['mxfp8_e5m2', 'MXFP8 (E5M2)'], ['mxfp6_e3m2', 'MXFP6 (E3M2)'],
    ['mxfp6_e2m3', 'MXFP6 (E2M3)'], ['mxfp4', 'MXFP4'], ['mxint8', 'MXINT8'],
  ] as const).map(([id, label]): FormatDescriptor => {
    const el = MX_ELEMENTS[id];
    return { id, label, family: 'mx', bits: el.bits, blockSize: 32, fixedBlock: true, scaleType: 'e8m0',
      bpw: (n, g) => mxBitsPerWeight(el, n, g),
      explanation: `32 ${el.bits}-bit elements share a power-of-two (E8M0) scale.`, source: `${OCP_MX} §6.3` };
  }),
  { id: 'nvfp4', label: 'NVFP4', family: 'nvfp4', bits: 4, blockSize: 16, fixedBlock: true, scaleType: 'e4m3+fp32', bpw: nvfp4BitsPerWeight,
    explanation: 'E2M1 elements, an FP8 E4M3 scale per 16, one fp32 tensor scale.',
    source: 'NVIDIA NVFP4; torchao prototype/mx_formats/nvfp4_tensor.py (_nvfp4_quantize)' },
  { id: 'nf4', label: 'NF4', family: 'codebook', bits: 4, blockSize: 64, fixedBlock: false, scaleType: 'fp32',
    bpw: (n, g) => absmaxBitsPerWeight(4, 'fp32', false, n, g),
    explanation: '16 normal-quantile levels scaled by each block\'s absmax (QLoRA).',
    source: 'bitsandbytes functional.py get_4bit_type, csrc/kernels.cu dQuantizeNF4' },
  { id: 'nf4-dq', label: 'NF4 + double quant', family: 'codebook', bits: 4, blockSize: 64, fixedBlock: false, scaleType: 'fp32+dq8',
    bpw: (n, g) => absmaxBitsPerWeight(4, 'fp32', true, n, g),
    explanation: 'NF4 whose block scales are themselves quantized to 8 bits in runs of 256.',
    source: 'bitsandbytes functional.py quantize_4bit(compress_statistics=True)' },
  { id: 'fp4-bnb', label: 'FP4 (bitsandbytes)', family: 'codebook', bits: 4, blockSize: 64, fixedBlock: false, scaleType: 'fp32',
    bpw: (n, g) => absmaxBitsPerWeight(4, 'fp32', false, n, g),
    explanation: 'bitsandbytes\' own 4-bit float table (not E2M1), absmax-scaled.',
    source: 'bitsandbytes csrc/kernels.cu fp4_dequantization_lut, dQuantizeFP4' },
  { id: 'nf3', label: 'NF3', family: 'codebook', bits: 3, blockSize: 64, fixedBlock: false, scaleType: 'fp32',
    bpw: (n, g) => absmaxBitsPerWeight(3, 'fp32', false, n, g),
    explanation: '8 normal-quantile levels built like NF4, absmax-scaled.',
    source: 'lowbit, after bitsandbytes create_normal_map' },
  { id: 'nf2', label: 'NF2', family: 'codebook', bits: 2, blockSize: 64, fixedBlock: false, scaleType: 'fp32',
    bpw: (n, g) => absmaxBitsPerWeight(2, 'fp32', false, n, g),
    explanation: '4 normal-quantile levels built like NF4, absmax-scaled.',
    source: 'lowbit, after bitsandbytes create_normal_map' },
  { id: 'iq4_nl', label: 'IQ4_NL', family: 'codebook', bits: 4, blockSize: 32, fixedBlock: true, scaleType: 'fp16', bpw: iq4nlBitsPerWeight,
    explanation: 'llama.cpp\'s 16-level non-linear table with an fp16 scale per 32.',
    source: 'ggml/src/ggml-quants.c kvalues_iq4nl, quantize_row_iq4_nl_ref' },
  { id: 'lloyd-max-4', label: 'Lloyd-Max 4-bit (fitted)', family: 'nonuniform', bits: 4, blockSize: 0, fixedBlock: true, scaleType: 'codebook',
    bpw: (n) => lloydMaxBitsPerWeight(4, 'fp16', 1, n),
    explanation: '16 levels fitted to this tensor by 1-D k-means: the least squared error for its shape.',
    source: 'J. Max, IRE Trans. Inf. Theory IT-6, 1960; S. Lloyd, 1982' },
  { id: 'log2-4', label: 'Log2 4-bit', family: 'nonuniform', bits: 4, blockSize: 128, fixedBlock: false, scaleType: 'fp16',
    bpw: (n, g) => logBitsPerWeight(4, 'fp16', n, g),
    explanation: 'Powers of two: ±scale·2^-k and zero, fine near 0 and coarse at the top.', source: 'Li et al., RepQ-ViT, ICCV 2023' },
  { id: 'nupes-4', label: 'NUPES power companding 4-bit', family: 'nonuniform', bits: 4, blockSize: 128, fixedBlock: false, scaleType: 'fp32',
    bpw: (n, g) => nupesBitsPerWeight(4, n, g),
    explanation: 'INT4 on sign(x)|x|^a, the exponent a searched per tensor, decoded by ^(1/a).', source: 'Yvinec et al., NUPES, arXiv:2308.05600' },
  { id: 'fp4-search', label: 'FP4, searched ExMy + clip (LLM-FP4)', family: 'nonuniform', bits: 4, blockSize: 0, fixedBlock: true, scaleType: 'fp32',
    bpw: (n) => fpSearchBitsPerWeight(4, n),
    explanation: 'Tries every 4-bit ExMy and clip ratio on this tensor and keeps the least squared error.', source: 'Liu et al., LLM-FP4, EMNLP 2023' },
  { id: 'binary', label: 'Binary (sign × mean|x|)', family: 'lowbit', bits: 1, blockSize: 128, fixedBlock: false, scaleType: 'fp16',
    bpw: (n, g) => binaryBitsPerWeight('fp16', n, g),
    explanation: 'One bit per weight, its sign, times the group\'s mean |x|.', source: 'Rastegari et al., XNOR-Net, ECCV 2016' },
  { id: 'ternary-bitnet', label: 'Ternary absmean (BitNet b1.58)', family: 'lowbit', bits: 2, blockSize: 0, fixedBlock: false, scaleType: 'fp32',
    bpw: (n, g) => ternaryBitsPerWeight('2bit', 'fp32', n, g),
    explanation: '{-1, 0, 1} × mean|W|: 1.58 bits of information, stored in 2.', source: 'Ma et al., arXiv:2402.17764, eqs. 1-3' },
  { id: 'ptqtp', label: 'PTQTP (two trit-planes)', family: 'lowbit', bits: 4, blockSize: 128, fixedBlock: false, scaleType: 'fp32+fp32',
    bpw: (n, g) => ptqtpBitsPerWeight('2bit', 'fp16', n, g),
    explanation: 'Two ternary planes with two scales per group, a1·T1 + a2·T2: 9 levels.', source: 'Xiao et al., PTQTP, arXiv:2509.16989' },
];

/** Every format, frozen. */
export const FORMATS: readonly FormatDescriptor[] = Object.freeze(entries.map((d) => Object.freeze(d)));

/** The descriptor with this id, or undefined. */
export function formatById(id: string): FormatDescriptor | undefined {
  return FORMATS.find((d) => d.id === id);
}
