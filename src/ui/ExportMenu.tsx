// ui: the Export menu beside the metrics: results as JSON or CSV, charts as PNG or SVG, and the recipe as another tool's command or config.
import { useId, useRef, useState } from 'react';
import type { TensorResult } from '../engine/types';
import { EXPORT_LABELS, EXPORT_TARGETS, exportAs, type ExportTarget, resultsCsv, resultsDocument } from '../spec/exportAs';
import { resultChecksum } from '../spec/link';
import type { ExperimentSpec } from '../spec/schema';
import { linkFor } from '../state/linkSync';
import { useAppStore } from '../state/store';
import { type ChartImageFormat, downloadCharts } from './charts/exportImage';
import './share.css';

/** Starts a download of `text` as a file called `name`. */
function downloadText(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExportMenu({ spec, result }: { readonly spec: ExperimentSpec; readonly result: TensorResult }) {
  const id = useId();
  const menu = useRef<HTMLDetailsElement>(null);
  const [target, setTarget] = useState<ExportTarget>('llama.cpp');
  const [status, setStatus] = useState('');
  // While a newer run computes, the result on screen is not the current spec's: wait for it.
  const stale = useAppStore((s) => s.run.status === 'running');
  const waitHint = stale ? 'Wait for the run under way: the numbers on screen belong to the previous settings.' : undefined;
  const stem = `lowbit-${resultChecksum(result.metrics)}`;

  const saveResults = async (kind: 'json' | 'csv') => {
    const link = await linkFor(spec, window.location.href);
    if (kind === 'json') downloadText(`${stem}.json`, `${JSON.stringify(resultsDocument(spec, result, link), null, 2)}\n`, 'application/json');
    else downloadText(`${stem}.csv`, resultsCsv(spec, result, link), 'text/csv');
    setStatus(`Saved ${stem}.${kind}.`);
  };
  const saveCharts = async (format: ChartImageFormat) => {
    const root = menu.current?.closest('.results') ?? document;
    try {
      const n = await downloadCharts(root, format, stem);
      setStatus(n > 0 ? `Saved ${n} chart${n === 1 ? '' : 's'} as ${format.toUpperCase()}.` : 'No chart is drawn yet: wait for the charts, then try again.');
    } catch (e) {
      setStatus(`The charts could not be saved (${e instanceof Error ? e.message : String(e)}). Reload the page and try again.`);
    }
  };
  const exported = exportAs(spec, target);
  const copyCode = async (code: string) => {
    try {
      await navigator.clipboard.writeText(code);
      setStatus('Copied the code.');
    } catch {
      setStatus('The clipboard is blocked: select the code and copy it by hand.');
    }
  };

  return (
    <details className="export-menu" ref={menu} data-testid="export-menu">
      <summary className="button button-small">Export</summary>
      <div className="export-panel">
        <div className="export-row">
          <h3>Results</h3>
          <button type="button" className="button button-small" data-testid="export-json" disabled={stale} title={waitHint} onClick={() => void saveResults('json')}>JSON</button>
          <button type="button" className="button button-small" data-testid="export-csv" disabled={stale} title={waitHint} onClick={() => void saveResults('csv')}>CSV</button>
          <h3>Charts</h3>
          <button type="button" className="button button-small" data-testid="export-png" onClick={() => void saveCharts('png')}>PNG</button>
          <button type="button" className="button button-small" data-testid="export-svg" onClick={() => void saveCharts('svg')}>SVG</button>
        </div>
        <div className="export-row">
          <h3><label htmlFor={`${id}-target`}>Export the recipe as</label></h3>
          <select id={`${id}-target`} data-testid="export-as-target" value={target} onChange={(e) => setTarget(e.currentTarget.value as ExportTarget)}>
            {EXPORT_TARGETS.map((t) => <option key={t} value={t}>{EXPORT_LABELS[t]}</option>)}
          </select>
          {exported.available && <button type="button" className="button button-small" onClick={() => void copyCode(exported.code)}>Copy</button>}
        </div>
        {exported.available ? (
          <>
            <pre className="export-code" data-testid="export-as-code">{exported.code}</pre>
            {exported.warnings.length > 0 && (
              <ul className="export-warnings" data-testid="export-as-warnings">{exported.warnings.map((w) => <li key={w}>{w}</li>)}</ul>
            )}
          </>
        ) : (
          <p className="hint-static" data-testid="export-as-none">No equivalent: {exported.reason}</p>
        )}
        <p className="hint-static" role="status">{status}</p>
      </div>
    </details>
  );
}
