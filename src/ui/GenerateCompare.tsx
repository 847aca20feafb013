// ui: side-by-side generation: one prompt continued by the full-precision and by the quantized model (greedy or seeded sampling).
import { useId } from 'react';
import { recipeLabel } from '../spec/defaults';
import { useAppStore } from '../state/store';
import { useEngine } from './engineContext';
import { Field, hintProps } from './Field';
import { HINTS } from './hints';
import { JobStatus } from './JobStatus';

export function GenerateCompare() {
  const ids = { prompt: useId(), steps: useId(), temperature: useId(), seed: useId() };
  const engine = useEngine();
  const job = useAppStore((s) => s.generation);
  const recipe = useAppStore((s) => s.spec.recipe);
  const { prompt, steps, temperature, seed } = useAppStore((s) => s.generateForm);
  const setForm = useAppStore((s) => s.setGenerateForm);
  const generate = () => engine.generate({ prompt, steps, temperature, topP: 0.95, seed });
  return (
    <section className="eval-panel" aria-labelledby={`${ids.prompt}-title`}>
      <h2 id={`${ids.prompt}-title`}>Generation, side by side</h2>
      <div className="eval-form">
        <Field id={ids.prompt} label="Prompt" hint={HINTS.prompt}>
          <textarea {...hintProps(ids.prompt, HINTS.prompt)} data-testid="gen-prompt" rows={2} value={prompt} onChange={(e) => setForm({ prompt: e.currentTarget.value })} />
        </Field>
        <div className="eval-numbers">
          <Field id={ids.steps} label="New tokens" hint={HINTS.genSteps}>
            <input type="number" {...hintProps(ids.steps, HINTS.genSteps)} data-testid="gen-steps" min={1} max={256} value={steps} onChange={(e) => setForm({ steps: Math.min(256, Math.max(1, Math.round(e.currentTarget.valueAsNumber) || 1)) })} />
          </Field>
          <Field id={ids.temperature} label="Temperature" hint={HINTS.temperature}>
            <input type="number" {...hintProps(ids.temperature, HINTS.temperature)} min={0} max={2} step={0.1} value={temperature} onChange={(e) => setForm({ temperature: Math.min(2, Math.max(0, e.currentTarget.valueAsNumber || 0)) })} />
          </Field>
          <Field id={ids.seed} label="Seed" hint={HINTS.genSeed}>
            <input type="number" {...hintProps(ids.seed, HINTS.genSeed)} min={0} max={0xffffffff} value={seed} disabled={temperature === 0} onChange={(e) => setForm({ seed: Math.max(0, Math.round(e.currentTarget.valueAsNumber) || 0) })} />
          </Field>
        </div>
        <button type="button" className="button button-primary" data-testid="gen-run" disabled={job.status === 'running'} onClick={generate}>Generate</button>
      </div>
      <JobStatus kind="generation" />
      {job.result && (
        <div className={job.status === 'running' ? 'generation dimmed' : 'generation'}>
          <figure>
            <figcaption>Full precision</figcaption>
            <p data-testid="gen-full">{job.result.full}</p>
          </figure>
          <figure>
            <figcaption>Quantized: {recipeLabel(recipe)}</figcaption>
            <p data-testid="gen-quantized">{job.result.quantized}</p>
          </figure>
        </div>
      )}
    </section>
  );
}
