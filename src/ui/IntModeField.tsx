// ui: the integer grid (symmetric, full-range symmetric, asymmetric with integer or float zero point) as a radio group with a hint each.
import { useId } from 'react';
import type { IntFormat } from '../spec/schema';
import { useAppStore } from '../state/store';
import { INT_MODE_OPTIONS } from './hints';

export function IntModeField() {
  const baseId = useId();
  const mode = useAppStore((s) => (s.spec.recipe.format.kind === 'int' ? s.spec.recipe.format.mode : null));
  const setIntMode = useAppStore((s) => s.setIntMode);
  if (mode === null) return null;
  return (
    <fieldset className="field radio-group" data-testid="control-int-mode">
      <legend>Range</legend>
      {INT_MODE_OPTIONS.map((o) => {
        const id = `${baseId}-${o.mode}`;
        return (
          <div className="radio-option" key={id}>
            <input
              type="radio" name={baseId} id={id} title={o.hint} aria-describedby={`${id}-hint`}
              checked={mode === o.mode} onChange={() => setIntMode(o.mode as IntFormat['mode'])}
            />
            <label htmlFor={id} title={o.hint}>{o.label}</label>
            <p className="hint" id={`${id}-hint`}>{o.hint}</p>
          </div>
        );
      })}
    </fieldset>
  );
}
