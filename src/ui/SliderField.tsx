// ui: a labelled range slider with its value and hint (bits, outlier channels, outlier scale).
import { useId } from 'react';
import { Field, hintProps } from './Field';

interface SliderFieldProps {
  readonly label: string;
  readonly hint: string;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly step?: number;
  /** How the value reads next to the label, e.g. "4-bit". */
  readonly format?: (v: number) => string;
  readonly onChange: (v: number) => void;
  readonly testId: string;
}

export function SliderField({ label, hint, value, min, max, step = 1, format = String, onChange, testId }: SliderFieldProps) {
  const id = useId();
  return (
    <Field id={id} label={label} hint={hint} value={format(value)}>
      <input
        type="range" {...hintProps(id, hint)} data-testid={testId}
        min={min} max={max} step={step} value={value}
        aria-valuetext={format(value)}
        onChange={(e) => onChange(Number(e.currentTarget.value))}
      />
    </Field>
  );
}
