// ui: the source step of the left panel: a model's tensor or a synthetic tensor, each with its own controls.
import { useId } from 'react';
import type { Source } from '../spec/schema';
import { useAppStore } from '../state/store';
import { HINTS } from './hints';
import { ModelSourceControls } from './ModelSourceControls';
import { SyntheticControls } from './SyntheticControls';

const KINDS: readonly { kind: Source['kind']; label: string; hint: string }[] = [
  { kind: 'model', label: 'Model', hint: HINTS.sourceModel },
  { kind: 'synthetic', label: 'Synthetic', hint: HINTS.sourceSynthetic },
];

export function SourceControls() {
  const name = useId();
  const source = useAppStore((s) => s.spec.source);
  const setSourceKind = useAppStore((s) => s.setSourceKind);
  return (
    <section className="panel-step" aria-labelledby="source-title">
      <h2 id="source-title"><span className="step-number">1</span>Source</h2>
      <fieldset className="segmented" data-testid="control-source-kind">
        <legend className="sr-only">Source kind</legend>
        {KINDS.map((k) => (
          <label key={k.kind} title={k.hint} className={source.kind === k.kind ? 'segment selected' : 'segment'}>
            <input type="radio" name={name} checked={source.kind === k.kind} onChange={() => setSourceKind(k.kind)} />
            {k.label}
          </label>
        ))}
      </fieldset>
      {source.kind === 'synthetic' ? <SyntheticControls source={source} /> : <ModelSourceControls source={source} />}
    </section>
  );
}
