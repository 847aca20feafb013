// ui: symmetric / asymmetric radio group, each option with its own hint (absmax vs GPTQ zero point).
import { useId } from 'react';
import { useAppStore } from '../state/store';
import { HINTS } from './hints';

const OPTIONS = [
  { symmetric: true, label: 'Symmetric', hint: HINTS.symmetric },
  { symmetric: false, label: 'Asymmetric', hint: HINTS.asymmetric },
] as const;

export function SymmetryField() {
  const baseId = useId();
  const symmetric = useAppStore((s) => (s.spec.recipe.format.kind === 'int' ? s.spec.recipe.format.symmetric : true));
  const setSymmetric = useAppStore((s) => s.setSymmetric);
  return (
    <fieldset className="field radio-group" data-testid="control-symmetric">
      <legend>Range</legend>
      {OPTIONS.map((o) => {
        const id = `${baseId}-${o.symmetric ? 'sym' : 'asym'}`;
        return (
          <div className="radio-option" key={id}>
            <input
              type="radio" name={baseId} id={id} title={o.hint} aria-describedby={`${id}-hint`}
              checked={symmetric === o.symmetric} onChange={() => setSymmetric(o.symmetric)}
            />
            <label htmlFor={id} title={o.hint}>{o.label}</label>
            <p className="hint" id={`${id}-hint`}>{o.hint}</p>
          </div>
        );
      })}
    </fieldset>
  );
}
