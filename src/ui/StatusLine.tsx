// ui: the bottom status line: what the engine is doing, a progress bar for slow runs, and Cancel.
import { useAppStore } from '../state/store';
import { statusText } from './status';

export function StatusLine({ onCancel }: { readonly onCancel: () => void }) {
  const run = useAppStore((s) => s.run);
  const device = useAppStore((s) => s.device);
  const percent = Math.round((run.progress?.fraction ?? 0) * 100);
  return (
    <footer className="status-line" data-testid="status-line" data-state={run.status}>
      <span className="status-dot" aria-hidden="true" />
      <span className="status-text" role="status">{statusText(run, device)}</span>
      {run.status === 'running' && run.slow && (
        <div
          className="progress" role="progressbar" aria-label="Progress"
          aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}
        >
          <div className="progress-fill" style={{ width: `${percent}%` }} />
        </div>
      )}
      {run.status === 'running' && (
        <button type="button" className="button button-small" onClick={onCancel}>Cancel</button>
      )}
    </footer>
  );
}
