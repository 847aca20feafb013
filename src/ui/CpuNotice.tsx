// ui: the banner shown when the engine computes on the CPU reference instead of WebGPU.
import { useAppStore } from '../state/store';

const DEFAULT_NOTICE = 'lowbit computes on the CPU reference (slower). Use Chrome or Edge for WebGPU.';

export function CpuNotice() {
  const device = useAppStore((s) => s.device);
  if (device?.backend !== 'cpu') return null;
  return (
    <div className="notice" role="note" data-testid="cpu-notice">
      {device.notice ?? DEFAULT_NOTICE}
    </div>
  );
}
