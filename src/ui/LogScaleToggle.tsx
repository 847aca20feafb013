// ui: the log-scale toggle for the histograms' count axis (spec.view.logScale).
import { useId } from 'react';
import { useAppStore } from '../state/store';
import { hintProps } from './Field';
import { HINTS } from './hints';

export function LogScaleToggle() {
  const id = useId();
  const logScale = useAppStore((s) => s.spec.view.logScale);
  const setLogScale = useAppStore((s) => s.setLogScale);
  return (
    <div className="field field-inline">
      <input
        type="checkbox" {...hintProps(id, HINTS.logScale)} data-testid="control-logscale"
        checked={logScale} onChange={(e) => setLogScale(e.currentTarget.checked)}
      />
      <label htmlFor={id}>Log count axis</label>
      <p className="hint" id={`${id}-hint`}>{HINTS.logScale}</p>
    </div>
  );
}
