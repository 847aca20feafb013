// ui: the status line's sentence for a run state (pure, so it is unit-tested).
import type { DeviceInfo } from '../engine/types';
import type { RunState } from '../state/runSlice';
import { formatMs } from './format';

/** The status sentence for a run state, e.g. "Computed on WebGPU in 42 ms". */
export function statusText(run: RunState, device: DeviceInfo | null): string {
  switch (run.status) {
    case 'idle': return device ? 'Ready.' : 'Starting the compute engine…';
    case 'running': {
      const stage = run.progress?.stage ?? (device?.backend === 'cpu' ? 'quantizing on the CPU' : 'quantizing on the GPU');
      return `${stage.charAt(0).toUpperCase()}${stage.slice(1)}…`;
    }
    case 'done': {
      const r = run.result;
      if (!r) return 'Done.';
      if (r.transform) {
        const gpu = r.transform.gpuSteps.length > 0 ? `; on WebGPU: ${r.transform.gpuSteps.join(', ')}` : '';
        return `Computed with ${r.transform.label.toLowerCase()} in ${formatMs(r.elapsedMs)} (the rest on the CPU reference${gpu})`;
      }
      if (r.backend === 'webgpu' && r.quantizedOn === 'cpu') {
        return `Quantized on the CPU reference (this format has no WebGPU kernel yet), measured on WebGPU, in ${formatMs(r.elapsedMs)}`;
      }
      return `Computed on ${r.backend === 'webgpu' ? 'WebGPU' : 'the CPU reference'} in ${formatMs(r.elapsedMs)}`;
    }
    case 'error': return run.error ?? 'Something went wrong.';
    case 'cancelled': return run.result ? 'Cancelled: showing the previous result.' : 'Cancelled.';
  }
}
