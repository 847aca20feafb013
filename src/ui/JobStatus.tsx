// ui: the status of an evaluation or generation job: progress bar with its stage, Cancel, and the error that stopped it.
import type { JobKind } from '../state/evalSlice';
import { useAppStore } from '../state/store';
import { useEngine } from './engineContext';

export function JobStatus({ kind }: { readonly kind: JobKind }) {
  const engine = useEngine();
  const job = useAppStore((s) => s[kind]);
  if (job.status === 'running') {
    const percent = Math.round((job.progress?.fraction ?? 0) * 100);
    return (
      <div className="job-status" role="status" data-testid={`${kind}-status`} data-state="running">
        <span>{job.progress?.stage ?? 'starting'}…</span>
        <div className="progress" role="progressbar" aria-label={`${kind} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
          <div className="progress-fill" style={{ width: `${percent}%` }} />
        </div>
        <button type="button" className="button button-small" onClick={() => engine.cancelJob(kind)}>Cancel</button>
      </div>
    );
  }
  if (job.status === 'error') return <p className="form-error" role="alert" data-testid={`${kind}-status`} data-state="error">{job.error}</p>;
  if (job.status === 'cancelled') return <p className="hint-static" role="status" data-testid={`${kind}-status`} data-state="cancelled">Cancelled; the last results stay.</p>;
  return <span data-testid={`${kind}-status`} data-state={job.status} hidden />;
}
