// ui: the header: name, source chip, recipe chip and the device badge (WebGPU adapter or CPU reference).
import { recipeLabel } from '../spec/defaults';
import { useAppStore } from '../state/store';
import { sourceLabel } from './describe';
import { ShareLink } from './ShareLink';

export function Header() {
  const spec = useAppStore((s) => s.spec);
  const device = useAppStore((s) => s.device);
  const result = useAppStore((s) => s.run.result);
  const failed = useAppStore((s) => s.run.status === 'error');
  const pending = failed ? 'Engine not running' : 'Starting engine…';
  return (
    <header className="app-header">
      <h1 className="brand">lowbit</h1>
      <span className="chip" title="Source tensor">{sourceLabel(spec.source, result)}</span>
      <span className="chip chip-recipe" title="Recipe">{recipeLabel(spec.recipe)}</span>
      <span
        className={`device-badge device-${device?.backend ?? 'pending'}`} data-testid="device-badge"
        title={device ? `Computing on: ${device.description}` : pending}
      >
        {device?.description ?? pending}
      </span>
      <ShareLink />
    </header>
  );
}
