// bench: quantize and dequantize of each format family (integer, table-driven element/codebook/MX/NVFP4/IQ4_NL, ggml legacy and K-quants) and the error statistics, against the copy kernel over the same bytes.
import { tableFormatFor } from '../../src/engine/gpuBackend';
import { encodeErrorStats } from '../../src/gpu/kernels/errorStats';
import { encodeIntDecode, encodeIntQuant, type IntQuantBuffers } from '../../src/gpu/kernels/quantInt';
import { encodeGgmlDequant, encodeGgmlQuant } from '../../src/gpu/kernels/quantGgml';
import { encodeTableDecode, encodeTableQuant, type TableFormat, type TableQuantBuffers } from '../../src/gpu/kernels/quantTable';
import { type FormatChoice, layoutFor, quantizeWith } from '../../src/quant/apply';
import { GGML_TYPE_OF } from '../../src/quant/formats/registry';
import type { GroupLayout } from '../../src/quant/groups';
import { type SuiteContext, maxAbsDiff, readFloats, storageBuffer } from '../context';
import { normalFloats } from '../data';
import { beatsCopy } from '../guard';
import { type EncodeOp, timeOp } from '../gpu';
import { copyOp } from '../kernels';
import { ratio } from '../stats';
import type { BenchRecord } from '../types';

/** Columns of the benchmark tensor (a multiple of every block: 32, 64, 256). */
const COLS = 4096;

/** The families, one representative each (the kernels are shared within a family). */
const FAMILIES: readonly { readonly label: string; readonly choice: FormatChoice; readonly block: number }[] = [
  { label: 'INT4 sym, block 32 (integer kernel)', choice: { kind: 'int', params: { bits: 4, mode: 'sym' } }, block: 32 },
  { label: 'NF4, block 64 (absmax codebook)', choice: { kind: 'format', id: 'nf4' }, block: 64 },
  { label: 'FP8 E4M3, block 32 (scaled element)', choice: { kind: 'format', id: 'fp8-e4m3' }, block: 32 },
  { label: 'MXFP4 (OCP MX, shared power-of-two scale)', choice: { kind: 'format', id: 'mxfp4' }, block: 32 },
  { label: 'NVFP4 (two-level scale)', choice: { kind: 'format', id: 'nvfp4' }, block: 16 },
  { label: 'IQ4_NL (codebook with refit scale)', choice: { kind: 'format', id: 'iq4_nl' }, block: 32 },
  { label: 'Q4_0 (ggml legacy block)', choice: { kind: 'format', id: 'q4_0' }, block: 32 },
  { label: 'Q4_K (ggml K-quant super-block)', choice: { kind: 'format', id: 'q4_k' }, block: 32 },
];

/** The quantize op and a dequantize-only op of one family. */
interface FamilyOps {
  readonly quantize: EncodeOp;
  /** 'round trip' when quantize also decodes (int and table kernels), 'to codes' when it stops at the codes. */
  readonly quantizeKind: 'round trip' | 'to codes';
  /** Decodes resident codes (made once when the ops are built) into x̂. */
  readonly dequantize: EncodeOp;
  /** Encodes quantize (and decode) once and returns x̂'s buffer plus the buffers to release. */
  readonly once: (encoder: GPUCommandEncoder) => { xhat: GPUBuffer; release: GPUBuffer[] };
  readonly dispose: () => void;
}

const intBuffers = (b: IntQuantBuffers) => [b.scales, b.zeros, b.invs, b.ratios, b.words, b.xhat, b.uniform];
const tableBuffers = (b: TableQuantBuffers) => [b.uniform, b.table, b.groups, b.words, b.xhat, b.tensor];

function familyOps(ctx: SuiteContext, x: GPUBuffer, xCpu: Float32Array, layout: GroupLayout, choice: FormatChoice): FamilyOps {
  const { rt } = ctx.g;
  const n = xCpu.length, rows = layout.lines;
  if (choice.kind === 'int') {
    const params = choice.params;
    const once = (encoder: GPUCommandEncoder) => {
      const b = encodeIntQuant(rt, encoder, x, n, layout, params);
      return { xhat: b.xhat, release: intBuffers(b) };
    };
    // A resident set of codes, scales and zero points for the dequantize-only op.
    const encoder = rt.device.createCommandEncoder({ label: 'bench.int.codes' });
    const resident = encodeIntQuant(rt, encoder, x, n, layout, params);
    rt.device.queue.submit([encoder.finish()]);
    return {
      quantize: (e) => once(e).release,
      quantizeKind: 'round trip',
      dequantize: (e) => { encodeIntDecode(rt, e, resident, n, params); return []; },
      once,
      dispose: () => { void rt.pool.releaseAfterSubmit(intBuffers(resident)); },
    };
  }
  const ggml = choice.kind === 'format' ? GGML_TYPE_OF[choice.id] : undefined;
  if (ggml) {
    // A resident copy of the codes for the dequantize-only op.
    const encoder = rt.device.createCommandEncoder({ label: 'bench.ggml.codes' });
    const codes = encodeGgmlQuant(rt, encoder, x, ggml, rows, COLS);
    rt.device.queue.submit([encoder.finish()]);
    const once = (e: GPUCommandEncoder) => {
      const q = encodeGgmlQuant(rt, e, x, ggml, rows, COLS);
      const d = encodeGgmlDequant(rt, e, q.bytes, ggml, rows, COLS);
      return { xhat: d.xhat, release: [q.uniform, q.bytes, d.uniform, d.xhat] };
    };
    return {
      quantize: (e) => { const q = encodeGgmlQuant(rt, e, x, ggml, rows, COLS); return [q.uniform, q.bytes]; },
      quantizeKind: 'to codes',
      dequantize: (e) => { const d = encodeGgmlDequant(rt, e, codes.bytes, ggml, rows, COLS); return [d.uniform, d.xhat]; },
      once,
      dispose: () => { void rt.pool.releaseAfterSubmit([codes.uniform, codes.bytes]); },
    };
  }
  const table: TableFormat | null = tableFormatFor(choice, xCpu, layout);
  if (!table) throw new Error(`No table kernel for ${JSON.stringify(choice)}.`);
  const encoder = rt.device.createCommandEncoder({ label: 'bench.table.codes' });
  const resident = encodeTableQuant(rt, encoder, x, n, layout, table);
  rt.device.queue.submit([encoder.finish()]);
  const once = (e: GPUCommandEncoder) => {
    const b = encodeTableQuant(rt, e, x, n, layout, table);
    return { xhat: b.xhat, release: tableBuffers(b) };
  };
  return {
    quantize: (e) => once(e).release,
    quantizeKind: 'round trip',
    dequantize: (e) => { encodeTableDecode(rt, e, resident, n, table); return []; },
    once,
    dispose: () => { void rt.pool.releaseAfterSubmit(tableBuffers(resident)); },
  };
}

export async function quantSuite(ctx: SuiteContext): Promise<BenchRecord[]> {
  const { g, options } = ctx;
  const { rt } = g;
  const n = options.quantElements, rows = n / COLS;
  const xCpu = normalFloats(n, 31, 0.02);
  const x = storageBuffer(g, xCpu, 'bench.quant.x');
  const copyOut = storageBuffer(g, n * 4, 'bench.quant.copy');
  const records: BenchRecord[] = [];
  const shape = `${rows}×${COLS}`;
  try {
    const copy = await timeOp(g, copyOp(rt, x, copyOut, n * 4), options.timer);
    const copyDiff = maxAbsDiff(await readFloats(g, copyOut, n), xCpu);
    records.push({
      suite: 'quant', name: `copy kernel over the ${shape} f32 input`, adapter: g.id, timing: copy, figures: { elements: n },
      check: { against: 'the input', maxAbsDiff: copyDiff, tolerance: 0, ok: copyDiff === 0 },
    });
    for (const family of FAMILIES) {
      const layout = layoutFor(family.choice, rows, COLS, 'block', family.block);
      const ops = familyOps(ctx, x, xCpu, layout, family.choice);
      try {
        const quantize = await timeOp(g, ops.quantize, options.timer);
        const dequantize = await timeOp(g, ops.dequantize, options.timer);
        const encoder = rt.device.createCommandEncoder({ label: 'bench.quant.check' });
        const { xhat, release } = ops.once(encoder);
        rt.device.queue.submit([encoder.finish()]);
        const got = await readFloats(g, xhat, n);
        await rt.pool.releaseAfterSubmit(release);
        const diff = maxAbsDiff(got, quantizeWith(xCpu, layout, family.choice).xhat);
        const check = { against: 'CPU reference x̂ (quantizeWith), every element; the kernels are bit-exact', maxAbsDiff: diff, tolerance: 0, ok: diff === 0 };
        const qVsCopy = ratio(quantize.ms, copy.ms), dqVsCopy = ratio(dequantize.ms, copy.ms);
        ctx.log(`${family.label}: quantize ${qVsCopy?.toFixed(2)}× copy, dequantize ${dqVsCopy?.toFixed(2)}× copy${check.ok ? '' : ` CHECK FAILED (${diff})`}`);
        records.push({
          suite: 'quant', name: `${family.label}: quantize (${ops.quantizeKind})`, adapter: g.id, timing: quantize,
          figures: { elements: n, timeVsCopy: qVsCopy, fasterThanCopy: beatsCopy(qVsCopy === null ? null : 1 / qVsCopy) },
          check,
        });
        records.push({
          suite: 'quant', name: `${family.label}: dequantize`, adapter: g.id, timing: dequantize,
          figures: { elements: n, timeVsCopy: dqVsCopy, fasterThanCopy: beatsCopy(dqVsCopy === null ? null : 1 / dqVsCopy) },
          check: { ...check, against: `${check.against} (x̂ of the round trip above, same decode pass)` },
        });
      } finally {
        ops.dispose();
      }
    }
    const xhat = storageBuffer(g, xCpu, 'bench.quant.xhat');
    try {
      const stats = await timeOp(g, (e) => {
        const s = encodeErrorStats(rt, e, x, xhat, n);
        return [s.totals, s.hist, ...s.scratch];
      }, options.timer);
      records.push({
        suite: 'quant', name: 'error statistics (sums, moments, histograms of x and x̂)', adapter: g.id, timing: stats,
        figures: { elements: n, timeVsCopy: ratio(stats.ms, copy.ms) },
        note: 'Checked against the CPU metrics by tests/gpu/error-stats.test.ts; timed here on x̂ = x.',
      });
    } finally {
      xhat.destroy();
    }
  } finally {
    x.destroy();
    copyOut.destroy();
  }
  return records;
}
