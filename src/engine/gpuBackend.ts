// engine: the WebGPU backend — one submit per job (quantize, dequantize, statistics), one readback.
import { ensureAlive, withErrorScopes } from '../gpu/device';
import { decodeErrorStats, encodeErrorStats } from '../gpu/kernels/errorStats';
import { encodeIntQuant } from '../gpu/kernels/quantInt';
import { readBuffers } from '../gpu/readback';
import { destroyRuntime, type GpuRuntime, uploadStorage } from '../gpu/runtime';
import { type FormatChoice, quantizeWith } from '../quant/apply';
import type { GroupLayout } from '../quant/groups';
import { groupLevels } from '../quant/int';
import { argmax, type QuantBackend, type QuantJobOutput } from './backend';

export function createWebGpuBackend(rt: GpuRuntime): QuantBackend {
  /** Formats without a kernel yet: quantize with the CPU reference, measure on the GPU. */
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
    const q = encodeIntQuant(rt, encoder, xBuf, x.length, layout, choice.params);
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

  return {
    device: { backend: 'webgpu', description: `WebGPU · ${rt.ctx.adapterName}` },
    async run(x, layout, choice) {
      ensureAlive(rt.ctx);
      return withErrorScopes(rt.device, 'quantize job', () =>
        choice.kind === 'int' ? runInt(x, layout, choice) : runMeasuredOnGpu(x, layout, choice));
    },
    dispose() { destroyRuntime(rt); },
  };
}
