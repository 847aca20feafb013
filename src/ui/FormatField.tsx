// ui: the format picker: the integer quantizer or any registry format, grouped by family, each with its bits per weight and source, then the chosen format's settings.
import { useId } from 'react';
import { FORMATS, type FormatFamily } from '../quant/formats/registry';
import type { RegistryFormatId } from '../spec/schema';
import { useAppStore } from '../state/store';
import { Field, hintProps } from './Field';
import { FormatOptionsFields } from './FormatOptionsFields';
import { HINTS } from './hints';

const FAMILY_LABELS: Record<FormatFamily, string> = {
  ggml: 'llama.cpp (GGUF) blocks',
  'fp-element': 'Floating point (absmax-scaled)',
  mx: 'OCP Microscaling (MX)',
  nvfp4: 'NVIDIA',
  codebook: 'Codebooks (bitsandbytes, llama.cpp)',
  nonuniform: 'Non-uniform and searched',
  lowbit: 'Extreme low-bit (1-2 bits)',
};

/** Bits per weight of a format at its default block (or per 64 when the recipe decides), for the option text. */
function typicalBpw(id: string): string {
  const d = FORMATS.find((f) => f.id === id);
  if (!d) return '';
  const block = d.blockSize || 64;
  return d.bpw(1 << 20, (1 << 20) / block).toFixed(3);
}

export function FormatField() {
  const id = useId();
  const format = useAppStore((s) => s.spec.recipe.format);
  const setFormat = useAppStore((s) => s.setFormat);
  const value = format.kind === 'format' ? format.id : format.kind;
  const desc = FORMATS.find((f) => f.id === value);
  const hint = desc ? `${desc.explanation} Source: ${desc.source}.` : format.kind === 'codebook' ? HINTS.userCodebook : HINTS.intFormat;
  const families = [...new Set(FORMATS.map((f) => f.family))];
  return (
    <>
      <Field id={id} label="Format" hint={hint}>
        <select
          {...hintProps(id, hint)} data-testid="control-format" value={value}
          onChange={(e) => setFormat(e.currentTarget.value as 'int' | 'codebook' | RegistryFormatId)}
        >
          <option value="int">Integer (INT1–INT8)</option>
          <option value="codebook">Your own codebook…</option>
          {families.map((fam) => (
            <optgroup key={fam} label={FAMILY_LABELS[fam]}>
              {FORMATS.filter((f) => f.family === fam).map((f) => (
                <option key={f.id} value={f.id}>{`${f.label} · ${typicalBpw(f.id)} bpw${f.blockSize ? ` @${f.blockSize}` : ''}`}</option>
              ))}
            </optgroup>
          ))}
        </select>
      </Field>
      <FormatOptionsFields />
    </>
  );
}
