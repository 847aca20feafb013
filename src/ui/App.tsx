// ui: the app shell: header, CPU notice, recipe panel on the left, views in the centre, status line at the bottom.
//
// Test ids for e2e (stable; rename only together with e2e/):
//   metric-mse, metric-sqnr, metric-maxerr, metric-bpw, metric-storage, metric-groups: each carries the
//     unrounded number in data-value;
//   device-badge, cpu-notice (only on the CPU path), status-line (data-state idle|running|done|error|cancelled);
//   chart-original, chart-dequantized, chart-error (data-state loading|ready|error once a result exists);
//   control-distribution, control-seed, control-outliers, control-outlier-scale, control-bits,
//   control-int-mode (the radio fieldset: pick a mode inside it by label), control-scale-encoding, control-rounding,
//   control-rounding-seed, control-clip, control-clip-p, control-format, control-preset,
//   control-granularity, control-blocksize (only for per-block), control-logscale.
import { CpuNotice } from './CpuNotice';
import { ErrorBoundary } from './ErrorBoundary';
import { Header } from './Header';
import { RecipeControls } from './RecipeControls';
import { SourceControls } from './SourceControls';
import { StatusLine } from './StatusLine';
import { Views } from './Views';

export function App({ onCancel }: { readonly onCancel: () => void }) {
  return (
    <div className="app">
      <Header />
      <CpuNotice />
      <div className="workspace">
        <aside className="side-panel" aria-label="Experiment settings">
          <ErrorBoundary what="The settings panel">
            <SourceControls />
            <RecipeControls />
          </ErrorBoundary>
        </aside>
        <Views />
      </div>
      <StatusLine onCancel={onCancel} />
    </div>
  );
}
