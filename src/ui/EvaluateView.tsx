// ui: the Evaluate view: perplexity and KL of the model with and without the recipe (protocol shown), the per-token loss change, and side-by-side generation.
import { useId } from 'react';
import type { EvalResult } from '../engine/evaluate';
import { DEFAULT_EVALUATION } from '../spec/defaults';
import { MAX_EVAL_TEXT } from '../spec/schema';
import { jobSpecKey } from '../state/evalSlice';
import { useAppStore } from '../state/store';
import { useEngine } from './engineContext';
import { evalRequest } from './evalRequest';
import { modelDisplayName, openModelSummary } from './describe';
import { Field, hintProps } from './Field';
import { formatCount, formatFixed, formatMs, formatSig } from './format';
import { HINTS } from './hints';
import { JobStatus } from './JobStatus';
import { TokenLossView } from './TokenLossView';
import { GenerateCompare } from './GenerateCompare';
import { SensitivityPanel } from './SensitivityPanel';

/** Clamps a typed integer into [lo, hi] (NaN → lo). */
const clampInt = (v: number, lo: number, hi: number) => (Number.isNaN(v) ? lo : Math.min(hi, Math.max(lo, Math.round(v))));

export function EvaluateView() {
  const source = useAppStore((s) => s.spec.source);
  const summary = useAppStore((s) => (s.spec.source.kind === 'model' ? openModelSummary(s.run.result, s.spec.source.model) : null));
  if (source.kind !== 'model') {
    return <p className="results-empty">Evaluation runs a model. Choose “Model” in the Source step: the synthetic tensor has no predictions to measure.</p>;
  }
  if (!summary) return <p className="results-empty">Opening {modelDisplayName(source.model)}… the status line shows the progress.</p>;
  if (!summary.config) return <p className="results-empty">{summary.description} Only the architectures listed in the README can be run.</p>;
  return (
    <div className="evaluate-view">
      <p className="explain">
        Runs {summary.name} twice over the same text, in full precision and with the recipe applied to every projection
        of its blocks (embedding and head stay in f32), and measures what changed in its predictions: perplexity,
        the KL divergence of the next-token distributions, how often the top token agrees (llama.cpp&apos;s perplexity tool statistics).
      </p>
      <EvaluationPanel maxPositions={summary.config.maxPositions} />
      <SensitivityPanel maxPositions={summary.config.maxPositions} layers={summary.config.layers} />
      <GenerateCompare />
    </div>
  );
}

function EvaluationPanel({ maxPositions }: { readonly maxPositions: number }) {
  const ids = { text: useId(), user: useId(), tokens: useId(), context: useId(), stride: useId() };
  const engine = useEngine();
  const job = useAppStore((s) => s.evaluation);
  const currentKey = useAppStore((s) => jobSpecKey(s.spec));
  const form = useAppStore((s) => s.spec.evaluation ?? DEFAULT_EVALUATION);
  const setForm = useAppStore((s) => s.setEvaluation);
  const { maxTokens } = form;
  const textKind = form.text.kind;
  const userText = form.text.kind === 'user' ? form.text.text : '';
  const { context, stride } = evalRequest(form, maxPositions);
  const run = () => engine.evaluate(evalRequest(form, maxPositions));
  const canRun = textKind === 'bundled' || userText.trim().length > 0;
  return (
    <section className="eval-panel" aria-labelledby={`${ids.text}-title`}>
      <h2 id={`${ids.text}-title`}>Perplexity and KL divergence</h2>
      <div className="eval-form">
        <fieldset className="radio-group">
          <legend>Text</legend>
          <label className="radio-option"><input type="radio" name={ids.text} checked={textKind === 'bundled'} onChange={() => setForm({ text: { kind: 'bundled' } })} /> Held-out State of the Union text (public domain, 15.9 k characters)</label>
          <label className="radio-option"><input type="radio" name={ids.text} checked={textKind === 'user'} onChange={() => setForm({ text: { kind: 'user', text: userText } })} /> Your text</label>
        </fieldset>
        {textKind === 'user' && (
          <Field id={ids.user} label="Your text" hint={HINTS.evalText}>
            <textarea {...hintProps(ids.user, HINTS.evalText)} data-testid="eval-user-text" rows={5} value={userText} maxLength={MAX_EVAL_TEXT} onChange={(e) => setForm({ text: { kind: 'user', text: e.currentTarget.value } })} />
          </Field>
        )}
        <div className="eval-numbers">
          <Field id={ids.tokens} label="Tokens" hint={HINTS.evalTokens}>
            <input type="number" {...hintProps(ids.tokens, HINTS.evalTokens)} data-testid="eval-tokens" min={16} max={8192} value={maxTokens} onChange={(e) => setForm({ maxTokens: clampInt(e.currentTarget.valueAsNumber, 16, 8192) })} />
          </Field>
          <Field id={ids.context} label="Context" hint={HINTS.evalContext}>
            <input type="number" {...hintProps(ids.context, HINTS.evalContext)} data-testid="eval-context" min={8} max={maxPositions} value={context} onChange={(e) => setForm({ context: clampInt(e.currentTarget.valueAsNumber, 8, maxPositions) })} />
          </Field>
          <Field id={ids.stride} label="Stride" hint={HINTS.evalStride}>
            <input type="number" {...hintProps(ids.stride, HINTS.evalStride)} data-testid="eval-stride" min={1} max={context - 1} value={stride} onChange={(e) => setForm({ stride: clampInt(e.currentTarget.valueAsNumber, 1, context - 1) })} />
          </Field>
        </div>
        <button type="button" className="button button-primary" data-testid="eval-run" disabled={!canRun || job.status === 'running'} onClick={run}>
          {job.result ? 'Evaluate again' : 'Evaluate'}
        </button>
      </div>
      <JobStatus kind="evaluation" />
      {job.result && (
        <div className={job.status === 'running' ? 'dimmed' : undefined}>
          {job.specKey !== currentKey && <p className="stale-note" role="note">These numbers are for an earlier source or recipe: evaluate again to update them.</p>}
          <EvalNumbers result={job.result} />
          <TokenLossView tokens={job.result.perToken} />
        </div>
      )}
    </section>
  );
}

/** Perplexity change in percent, signed. */
const pplChange = (r: EvalResult) => 100 * (r.pplQuantized / r.pplFull - 1);

function EvalNumbers({ result: r }: { readonly result: EvalResult }) {
  const c = r.comparison, p = r.protocol;
  const items: [string, string, string, number][] = [
    ['ppl-full', 'Perplexity, full precision', formatFixed(r.pplFull, 3), r.pplFull],
    ['ppl-quantized', 'Perplexity, quantized', `${formatFixed(r.pplQuantized, 3)} (${formatFixed(pplChange(r), 2, true)} %)`, r.pplQuantized],
    ['kl-mean', 'Mean KL(full ‖ quantized)', `${formatSig(c.klMean)} nats`, c.klMean],
    ['kl-p99', 'KL, 99th percentile', `${formatSig(c.klPercentiles.p99)} nats`, c.klPercentiles.p99],
    ['top1', 'Same top token', `${formatFixed(100 * c.top1Agreement, 2)} %`, c.top1Agreement],
    ['dp', 'Mean |Δp| of the right token', formatSig(c.meanAbsDeltaP), c.meanAbsDeltaP],
  ];
  return (
    <>
      <dl className="metrics eval-metrics">
        {items.map(([id, label, text, value]) => (
          <div className="metric" key={id}>
            <dt>{label}</dt>
            <dd data-testid={`eval-${id}`} data-value={value}>{text}</dd>
          </div>
        ))}
      </dl>
      <p className="protocol" data-testid="eval-protocol">
        {formatCount(p.tokens)} tokens of {p.textLabel}; windows of {p.context} tokens{p.bos ? ' (BOS first)' : ''}, stride {p.stride};{' '}
        {formatCount(p.scored)} tokens scored. The recipe quantized {p.quantizedTensors} projections ({formatCount(p.quantizedParams)} weights)
        at {p.bitsPerWeight.toFixed(3)} bits per weight{p.keptLayers.length > 0 ? `; blocks ${p.keptLayers.join(', ')} kept in full precision` : ''}. Computed on {r.backend === 'webgpu' ? 'WebGPU' : 'the CPU reference'} in {formatMs(r.elapsedMs)}.
        {p.transformDetail && <> {p.transformDetail}</>}
      </p>
    </>
  );
}
