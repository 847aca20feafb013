// ui: per-layer (or per-type) sensitivity: quantize one block at a time, bars of the KL each causes, then keep the k most sensitive blocks in full precision.
import { useId, useState } from 'react';
import type { SensitivityResult } from '../engine/evaluate';
import { DEFAULT_EVALUATION } from '../spec/defaults';
import { jobSpecKey } from '../state/evalSlice';
import { useAppStore } from '../state/store';
import { SensitivityBars } from './charts/SensitivityBars';
import { useEngine } from './engineContext';
import { evalRequest } from './evalRequest';
import { JobStatus } from './JobStatus';

/** The `k` blocks with the largest KL in a by-layer sweep, ascending. */
export function mostSensitive(result: SensitivityResult, k: number): number[] {
  return [...result.rows].filter((r) => r.layer !== null).sort((a, b) => b.klMean - a.klMean).slice(0, k).map((r) => r.layer as number).sort((a, b) => a - b);
}

export function SensitivityPanel({ maxPositions, layers }: { readonly maxPositions: number; readonly layers: number }) {
  const ids = { by: useId(), k: useId() };
  const engine = useEngine();
  const job = useAppStore((s) => s.sensitivity);
  const form = useAppStore((s) => s.spec.evaluation ?? DEFAULT_EVALUATION);
  const setForm = useAppStore((s) => s.setEvaluation);
  const currentKey = useAppStore((s) => jobSpecKey(s.spec));
  const [by, setBy] = useState<SensitivityResult['by']>('layer');
  const [k, setK] = useState(1);
  const sweep = () => engine.sweep({ ...evalRequest(form, maxPositions), keepLayers: [] }, by);
  const result = job.result;
  const keep = result?.by === 'layer' ? mostSensitive(result, k) : [];
  const evaluateKept = () => {
    setForm({ keepLayers: keep });
    engine.evaluate({ ...evalRequest(form, maxPositions), keepLayers: keep });
  };
  return (
    <section className="eval-panel" aria-labelledby={`${ids.by}-title`}>
      <h2 id={`${ids.by}-title`}>Which layers are sensitive</h2>
      <p className="hint-static">Quantizes one block (or one kind of projection) at a time with the recipe, the rest in full precision, and measures the mean KL on the same text and windows as above.</p>
      <div className="eval-form">
        <fieldset className="radio-group">
          <legend>Quantize one at a time</legend>
          <label className="radio-option"><input type="radio" name={ids.by} checked={by === 'layer'} onChange={() => setBy('layer')} /> block ({layers} blocks)</label>
          <label className="radio-option"><input type="radio" name={ids.by} checked={by === 'type'} onChange={() => setBy('type')} /> projection type (q, k, v, o, gate, up, down)</label>
        </fieldset>
        <button type="button" className="button button-primary" data-testid="sweep-run" disabled={job.status === 'running'} onClick={sweep}>Run the sweep</button>
      </div>
      <JobStatus kind="sensitivity" />
      {result && (
        <div className={job.status === 'running' ? 'dimmed' : undefined}>
          {job.specKey !== currentKey && <p className="stale-note" role="note">This sweep is for an earlier source or recipe: run it again to update it.</p>}
          <SensitivityBars result={result} highlighted={keep} />
          {result.by === 'layer' && (
            <div className="keep-row">
              <label htmlFor={ids.k}>Keep the</label>
              <input id={ids.k} type="number" data-testid="keep-k" min={0} max={layers} value={k} onChange={(e) => setK(Math.min(layers, Math.max(0, Math.round(e.currentTarget.valueAsNumber) || 0)))} />
              <span>most sensitive block{k === 1 ? '' : 's'} in full precision{keep.length > 0 ? ` (${keep.map((l) => `block ${l}`).join(', ')})` : ''}</span>
              <button type="button" className="button" data-testid="keep-evaluate" onClick={evaluateKept}>Evaluate with them kept</button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
