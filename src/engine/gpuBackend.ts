// engine: the WebGPU backend — one submit per job (quantize, dequantize, statistics), one readback.
import { ensureAlive, withErrorScopes } from '../gpu/device';
import { decodeErrorStats, encodeErrorStats } from '../gpu/kernels/errorStats';
import { encodeIntQuant } from '../gpu/kernels/quantInt';
import { readBuffers } from '../gpu/readback';
import { destroyRuntime, type GpuRuntime, uploadStorage } from '../gpu/runtime';
import type { GroupLayout } from '../quant/groups';
import type { IntFormatParams } from '../quant/int';
import type { QuantBackend, QuantJobOutput } from './backend';

export function createWebGpuBackend(rt: GpuRuntime): QuantBackend {
  return {
    device: { backend: 'webgpu', description: `WebGPU · ${rt.ctx.adapterName}` },
    async runInt(x: Float32Array, layout: GroupLayout, format: IntFormatParams): Promise<QuantJobOutput> {
      ensureAlive(rt.ctx);
      return withErrorScopes(rt.device, 'quantize job', async () => {
        const encoder = rt.device.createCommandEncoder({ label: 'lowbit.quantize_job' });
        const xBuf = uploadStorage(rt, x, 'source.x');
        const q = encodeIntQuant(rt, encoder, xBuf, x.length, layout, format);
        const s = encodeErrorStats(rt, encoder, xBuf, q.xhat, x.length);
        try {
          const [scales, zeros, totals, hist] = await readBuffers(rt.device, encoder, [q.scales, q.zeros, s.totals, s.hist]);
          const g = layout.groupCount;
          return {
            scales: new Float32Array(scales, 0, g),
            zeros: new Float32Array(zeros, 0, g),
            ...decodeErrorStats(new Float32Array(totals), new Uint32Array(hist), x.length),
          };
        } finally {
          void rt.pool.releaseAfterSubmit([xBuf, ...Object.values(q), s.totals, s.hist, ...s.scratch]);
        }
      });
    },
    dispose() { destroyRuntime(rt); },
  };
}
