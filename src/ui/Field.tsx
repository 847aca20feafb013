// ui: a labelled control with its one-line explanation, shown on hover or focus (and read as its description).
import type { ReactNode } from 'react';

/** Props to spread on the control inside a Field: its id, tooltip and described-by link to the hint. */
export function hintProps(id: string, hint: string) {
  return { id, title: hint, 'aria-describedby': `${id}-hint` };
}

interface FieldProps {
  /** id of the control (from useId), which the label and hint refer to. */
  readonly id: string;
  readonly label: string;
  readonly hint: string;
  /** Current value shown next to the label (sliders). */
  readonly value?: ReactNode;
  readonly children: ReactNode;
}

export function Field({ id, label, hint, value, children }: FieldProps) {
  return (
    <div className="field">
      <div className="field-head">
        <label htmlFor={id}>{label}</label>
        {value !== undefined && <output htmlFor={id} className="field-value">{value}</output>}
      </div>
      {children}
      <p className="hint" id={`${id}-hint`}>{hint}</p>
    </div>
  );
}
