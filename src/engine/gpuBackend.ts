// engine: the WebGPU backend — one submit per job (quantize, dequantize, statistics), one readback.
import { ensureAlive, withErrorScopes } from '../gpu/device';
import { decodeErrorStats, encodeErrorStats } from '../gpu/kernels/errorStats';
import { encodeIntQuant } from '../gpu/kernels/quantInt';
import { readBuffers } from '../gpu/readback';
import { destroyRuntime, type GpuRuntime, uploadStorage } from '../gpu/runtime';
import { ABSMAX_CODEBOOKS, elementValues, type FormatChoice, formatOptionsProblem, FP_ELEMENTS, quantizeWith, scaled, usedLevels } from '../quant/apply';
import { GGML_TYPE_OF } from '../quant/formats/registry';
import type { GgmlBlockType } from '../quant/ggml';
import { encodeGgmlDequant, encodeGgmlQuant } from '../gpu/kernels/quantGgml';
import { E2M1 } from '../quant/formats/fp';
import { IQ4NL_VALUES } from '../quant/formats/codebooks';
import { MX_ELEMENTS } from '../quant/formats/mx';
import {
  BINARY_CODEBOOK, doubleQuantizeTableScales, encodeTableDecode, encodeTableQuant, hasFlushedScale, kernelElementOptions, logCodebook, type TableFormat, tableFor,
  tensorScaledCodebook, TERNARY_CODEBOOK, zeroScaleAsZero,
} from '../gpu/kernels/quantTable';
import { BITNET_EPS } from '../quant/nonuniform/ternary';
import { bitsF32, f32 } from '../lib/f32';
import { quantizeFpSearch } from '../quant/nonuniform/llmFp4';
import { lloydMaxStoredLevels, storedCodebook } from '../quant/nonuniform/lloydMax';
import { userCodebook } from '../quant/nonuniform/userCodebook';
import type { LogFormat } from '../quant/nonuniform/log2';
import type { GroupLayout } from '../quant/groups';
import { groupLevels, intClipThreshold } from '../quant/int';
import { encodeNupesQuant, encodeNupesSearch } from '../gpu/kernels/quantNupes';
import { encodePtqtp } from '../gpu/kernels/quantPtqtp';
import { NUPES_REGISTRY_BITS, PTQTP_REGISTRY_SCALE } from '../quant/nonuniform/apply';
import { exponentFromSums, nupesLevels } from '../quant/nonuniform/nupes';
import { ptqtpLevels, ptqtpReach } from '../quant/nonuniform/ptqtp';
import { argmax, type QuantBackend, type QuantJobOutput } from './backend';

export function createWebGpuBackend(rt: GpuRuntime): QuantBackend {
  /** Choices without a kernel (PTQTP groups of 2^24 elements or more): quantize with the CPU reference, measure on the GPU. */
  async function runMeasuredOnGpu(x: Float32Array, layout: GroupLayout, choice: FormatChoice): Promise<QuantJobOutput> {
    const q = quantizeWith(x, layout, choice);
    const encoder = rt.device.createCommandEncoder({ label: 'lowbit.measure_job' });
    const xBuf = uploadStorage(rt, x, 'source.x');
    const xhatBuf = uploadStorage(rt, q.xhat, 'source.xhat');
    const s = encodeErrorStats(rt, encoder, xBuf, xhatBuf, x.length);
    try {
      const [totals, hist] = await readBuffers(rt.device, encoder, [s.totals, s.hist]);
      const widestGroup = argmax(q.groupScales);
      return {
        widestGroup, widestLevels: q.levels(widestGroup), quantizedOn: 'cpu',
        ...decodeErrorStats(new Float32Array(totals), new Uint32Array(hist), x.length),
      };
    } finally {
      void rt.pool.releaseAfterSubmit([xBuf, xhatBuf, s.totals, s.hist, ...s.scratch]);
    }
  }

  async function runInt(x: Float32Array, layout: GroupLayout, choice: Extract<FormatChoice, { kind: 'int' }>): Promise<QuantJobOutput> {
    const encoder = rt.device.createCommandEncoder({ label: 'lowbit.quantize_job' });
    const xBuf = uploadStorage(rt, x, 'source.x');
    const q = encodeIntQuant(rt, encoder, xBuf, x.length, layout, choice.params, intClipThreshold(x, choice.params));
    const s = encodeErrorStats(rt, encoder, xBuf, q.xhat, x.length);
    try {
      const [scalesBytes, zerosBytes, totals, hist] = await readBuffers(rt.device, encoder, [q.scales, q.zeros, s.totals, s.hist]);
      const scales = new Float32Array(scalesBytes, 0, layout.groupCount);
      const zeros = new Float32Array(zerosBytes, 0, layout.groupCount);
      const widestGroup = argmax(scales);
      return {
        widestGroup, widestLevels: groupLevels(choice.params, scales[widestGroup], zeros[widestGroup]), quantizedOn: 'webgpu',
        ...decodeErrorStats(new Float32Array(totals), new Uint32Array(hist), x.length),
      };
    } finally {
      void rt.pool.releaseAfterSubmit([xBuf, ...Object.values(q), s.totals, s.hist, ...s.scratch]);
    }
  }

  /** Registry formats with a table kernel: quantize, dequantize and measure in one submit. */
  async function runTable(x: Float32Array, layout: GroupLayout, table: TableFormat): Promise<QuantJobOutput> {
    const encoder = rt.device.createCommandEncoder({ label: 'lowbit.table_job' });
    const xBuf = uploadStorage(rt, x, 'source.x');
    const q = encodeTableQuant(rt, encoder, xBuf, x.length, layout, table);
    const s = encodeErrorStats(rt, encoder, xBuf, q.xhat, x.length);
    try {
      const [groupsBytes, totals, hist] = await readBuffers(rt.device, encoder, [q.groups, s.totals, s.hist]);
      const scales = tableGroupScales(table, new Uint32Array(groupsBytes, 0, 2 * layout.groupCount));
      const widestGroup = argmax(table.kind === 'iq4nl' ? scales.map(Math.abs) : scales); // IQ4_NL's d is signed
      return {
        widestGroup, widestLevels: scaled(tableElementValues(table), scales[widestGroup]), quantizedOn: 'webgpu',
        ...decodeErrorStats(new Float32Array(totals), new Uint32Array(hist), x.length),
      };
    } finally {
      void rt.pool.releaseAfterSubmit([xBuf, ...Object.values(q), s.totals, s.hist, ...s.scratch]);
    }
  }

  /**
   * NF4 + double quant: NF4 codes and fp32 absmax scales on the GPU (the table kernel's absmax
   * mode), the scales read back and double-quantized on the CPU (doubleQuantize: f64 mean, bnb's
   * dynamic map), the reconstructed scales uploaded, then decode and statistics on the GPU: two
   * submits, equal to quantizeAbsmax(…, doubleQuant = true) + dequantizeAbsmax bit for bit.
   */
  async function runNf4DoubleQuant(x: Float32Array, layout: GroupLayout): Promise<QuantJobOutput> {
    const table: TableFormat = { kind: 'absmax', codebook: ABSMAX_CODEBOOKS['nf4-dq'], scaleType: 'fp32' };
    const xBuf = uploadStorage(rt, x, 'source.x');
    const first = rt.device.createCommandEncoder({ label: 'lowbit.nf4dq_quantize' });
    const q = encodeTableQuant(rt, first, xBuf, x.length, layout, table);
    const scratch: GPUBuffer[] = [];
    try {
      const scales = await doubleQuantizeTableScales(rt, first, q, layout.groupCount);
      const second = rt.device.createCommandEncoder({ label: 'lowbit.nf4dq_decode' });
      encodeTableDecode(rt, second, q, x.length, table);
      const s = encodeErrorStats(rt, second, xBuf, q.xhat, x.length);
      scratch.push(s.totals, s.hist, ...s.scratch);
      const [totals, hist] = await readBuffers(rt.device, second, [s.totals, s.hist]);
      const widestGroup = argmax(scales);
      return {
        widestGroup, widestLevels: scaled(table.codebook.levels, scales[widestGroup]), quantizedOn: 'webgpu',
        ...decodeErrorStats(new Float32Array(totals), new Uint32Array(hist), x.length),
      };
    } finally {
      void rt.pool.releaseAfterSubmit([xBuf, ...Object.values(q), ...scratch]);
    }
  }

  /**
   * NUPES: the exponent search on the GPU (every grid exponent's companded INT coding and exact
   * per-group error sums, one submit), the choice on the CPU from the read-back sums (as
   * quantizeNupes chooses), then the chosen coding, decode and statistics (a second submit).
   */
  async function runNupes(x: Float32Array, layout: GroupLayout): Promise<QuantJobOutput> {
    const bits = NUPES_REGISTRY_BITS;
    const xBuf = uploadStorage(rt, x, 'source.x');
    const first = rt.device.createCommandEncoder({ label: 'lowbit.nupes_search' });
    const search = encodeNupesSearch(rt, first, xBuf, x.length, layout, bits);
    const released: GPUBuffer[] = [xBuf, search.sums, ...search.scratch];
    try {
      const sums = new Uint32Array((await readBuffers(rt.device, first, [search.sums]))[0]);
      const a = exponentFromSums(sums, x, layout);
      const second = rt.device.createCommandEncoder({ label: 'lowbit.nupes_quantize' });
      const q = encodeNupesQuant(rt, second, xBuf, x.length, layout, bits, a);
      const s = encodeErrorStats(rt, second, xBuf, q.xhat, x.length);
      released.push(...Object.values(q.inner), q.xhat, ...q.scratch, s.totals, s.hist, ...s.scratch);
      const [scalesBytes, totals, hist] = await readBuffers(rt.device, second, [q.inner.scales, s.totals, s.hist]);
      const scales = new Float32Array(scalesBytes, 0, layout.groupCount);
      const widestGroup = argmax(scales);
      return {
        widestGroup, widestLevels: nupesLevels(bits, a, scales[widestGroup]), quantizedOn: 'webgpu',
        ...decodeErrorStats(new Float32Array(totals), new Uint32Array(hist), x.length),
      };
    } finally {
      void rt.pool.releaseAfterSubmit(released);
    }
  }

  /** PTQTP: the per-group alternating fit, packing, decode and statistics in one submit. */
  async function runPtqtp(x: Float32Array, layout: GroupLayout): Promise<QuantJobOutput> {
    const encoder = rt.device.createCommandEncoder({ label: 'lowbit.ptqtp_job' });
    const xBuf = uploadStorage(rt, x, 'source.x');
    const q = encodePtqtp(rt, encoder, xBuf, x.length, layout, PTQTP_REGISTRY_SCALE);
    const s = encodeErrorStats(rt, encoder, xBuf, q.xhat, x.length);
    try {
      const [scalesBytes, totals, hist] = await readBuffers(rt.device, encoder, [q.scales, s.totals, s.hist]);
      const scales = new Float32Array(scalesBytes, 0, 2 * layout.groupCount);
      const widestGroup = argmax(ptqtpReach(scales));
      return {
        widestGroup, widestLevels: ptqtpLevels(scales[2 * widestGroup], scales[2 * widestGroup + 1]), quantizedOn: 'webgpu',
        ...decodeErrorStats(new Float32Array(totals), new Uint32Array(hist), x.length),
      };
    } finally {
      void rt.pool.releaseAfterSubmit([xBuf, ...Object.values(q), s.totals, s.hist, ...s.scratch]);
    }
  }

  /** ggml formats (all seven): quantize, decode and measure in one submit. */
  async function runGgml(x: Float32Array, layout: GroupLayout, type: GgmlBlockType): Promise<QuantJobOutput> {
    const { lines: rows, lineLen: cols } = layout;
    const encoder = rt.device.createCommandEncoder({ label: 'lowbit.ggml_job' });
    const xBuf = uploadStorage(rt, x, 'source.x');
    const quant = encodeGgmlQuant(rt, encoder, xBuf, type, rows, cols);
    const d = encodeGgmlDequant(rt, encoder, quant.bytes, type, rows, cols);
    const s = encodeErrorStats(rt, encoder, xBuf, d.xhat, x.length);
    try {
      // x̂ comes back because a ggml block's grid varies by sub-block: the lines show the values it uses.
      const [xhatBytes, totals, hist] = await readBuffers(rt.device, encoder, [d.xhat, s.totals, s.hist]);
      const { groupScales, levels } = usedLevels(new Float32Array(xhatBytes, 0, x.length), layout);
      const widestGroup = argmax(groupScales);
      return {
        widestGroup, widestLevels: levels(widestGroup), quantizedOn: 'webgpu',
        ...decodeErrorStats(new Float32Array(totals), new Uint32Array(hist), x.length),
      };
    } finally {
      void rt.pool.releaseAfterSubmit([xBuf, quant.bytes, quant.uniform, d.uniform, d.xhat, s.totals, s.hist, ...s.scratch]);
    }
  }

  return {
    device: { backend: 'webgpu', description: `WebGPU · ${rt.ctx.adapterName}` },
    runtime: rt,
    async run(x, layout, choice) {
      ensureAlive(rt.ctx);
      const problem = choice.kind === 'format' ? formatOptionsProblem(choice.id, choice.options) : null;
      if (problem !== null) throw new Error(`The format's settings do not fit it: ${problem}. Pick the format again to reset them.`);
      const table = tableFormatFor(choice, x, layout);
      const ggml = choice.kind === 'format' ? GGML_TYPE_OF[choice.id] : undefined;
      return withErrorScopes(rt.device, 'quantize job', () =>
        choice.kind === 'int' ? runInt(x, layout, choice)
          : table ? runTable(x, layout, table)
            : choice.kind === 'format' && choice.id === 'nf4-dq' ? runNf4DoubleQuant(x, layout)
            : ggml ? runGgml(x, layout, ggml)
              : choice.kind === 'format' && choice.id === 'nupes-4' ? runNupes(x, layout)
                : choice.kind === 'format' && choice.id === 'ptqtp' && layout.groupSize < 2 ** 24 ? runPtqtp(x, layout)
                  : runMeasuredOnGpu(x, layout, choice));
    },
    dispose() { destroyRuntime(rt); },
  };
}

/** 'log2-4' as src/quant/nonuniform/apply.ts runs it (fp16 scales). */
const LOG2_4: LogFormat = { bits: 4, base: '2', rounding: 'log' };
const LOG2_4_CODEBOOK = zeroScaleAsZero(logCodebook(LOG2_4));

/**
 * The table kernel's format for a choice on tensor x, or null when it has no kernel. Fitted formats
 * fit on the CPU here (Lloyd-Max codebook, LLM-FP4's ExMy and scale) and encode on the GPU. Null too
 * when the element table cannot be built (a typed codebook with f32-subnormal midpoints, a tensor so
 * small its fp4-search scale puts a bound among f32 subnormals) or an fp16 log scale rounds to 0.
 */
export function tableFormatFor(choice: FormatChoice, x: Float32Array, layout: GroupLayout): TableFormat | null {
  const format = tableFormatCandidate(choice, x, layout);
  if (!format) return null;
  try {
    tableFor(format);
  } catch {
    return null; // buildElementTable's asserts: the CPU reference runs it instead
  }
  return format;
}

function tableFormatCandidate(choice: FormatChoice, x: Float32Array, layout: GroupLayout): TableFormat | null {
  if (choice.kind === 'int') return null;
  if (choice.kind === 'codebook') {
    return choice.scaling === 'raw' ? { kind: 'codebook', codebook: userCodebook(choice.levels, 'raw') }
      : { kind: 'absmax', codebook: zeroScaleAsZero(userCodebook(choice.levels, 'absmax')), scaleType: 'fp32', subnormalBounds: true };
  }
  const id = choice.id;
  const options = choice.options;
  if (FP_ELEMENTS[id]) return { kind: 'scaled-fp', format: FP_ELEMENTS[id], options: kernelElementOptions(x, options) };
  if (id in MX_ELEMENTS) return { kind: 'mx', element: MX_ELEMENTS[id as keyof typeof MX_ELEMENTS], options: kernelElementOptions(x, options) };
  if (id === 'nvfp4') return { kind: 'nvfp4' };
  if (ABSMAX_CODEBOOKS[id] && id !== 'nf4-dq') return { kind: 'absmax', codebook: ABSMAX_CODEBOOKS[id], scaleType: options?.scale ?? 'fp32' };
  if (id === 'lloyd-max-4') return { kind: 'codebook', codebook: storedCodebook('lloyd-max', lloydMaxStoredLevels(x, 4, 'fp16')) };
  if (id === 'log2-4') return hasFlushedScale(x, layout, 'fp16') ? null : { kind: 'absmax', codebook: LOG2_4_CODEBOOK, scaleType: 'fp16' };
  // meanAbs's exact long division needs a group shorter than 2^31 elements.
  if (id === 'binary' && layout.groupSize < 2 ** 31) {
    return { kind: 'meanabs', codebook: BINARY_CODEBOOK, scaleType: 'fp16', floor: 0, raw: true };
  }
  if (id === 'ternary-bitnet' && layout.groupSize < 2 ** 31) {
    return { kind: 'meanabs', codebook: TERNARY_CODEBOOK, scaleType: 'fp32', floor: f32(BITNET_EPS), raw: false };
  }
  if (id === 'iq4_nl') return { kind: 'iq4nl', scaleType: options?.scale ?? 'fp16' };
  if (id === 'fp4-search') {
    const q = quantizeFpSearch(x, 4); // the search also encodes on the CPU; only its format and scale are used
    return { kind: 'codebook', codebook: tensorScaledCodebook(q.format, q.scale) };
  }
  return null;
}

/** Each group's level multiplier from the kernel's per-group words (layout in shaders/quant_table.wgsl). */
function tableGroupScales(table: TableFormat, groups: Uint32Array): Float32Array {
  const out = new Float32Array(groups.length / 2);
  for (let g = 0; g < out.length; g++) {
    out[g] = table.kind === 'codebook' ? 1 : table.kind === 'mx' ? 2 ** (groups[2 * g] - 127)
      : table.kind === 'nvfp4' ? bitsF32(groups[2 * g + 1]) : bitsF32(groups[2 * g]);
  }
  return out;
}

/** The unscaled values a table format's codes decode to. */
function tableElementValues(table: TableFormat): readonly number[] {
  switch (table.kind) {
    case 'fp': case 'scaled-fp': return table.format.values;
    case 'mx': return elementValues(table.element.bits, table.element.decode);
    case 'nvfp4': return E2M1.values;
    case 'iq4nl': return IQ4NL_VALUES;
    case 'absmax': case 'codebook': case 'meanabs': return table.codebook.levels;
  }
}
