// ui: the typed codebook: levels as text (checked as you type, the last valid codebook stays in use) and how they are scaled.
import { useId, useState } from 'react';
import { parseCodebook } from '../quant/nonuniform/userCodebook';
import type { UserCodebookFormat } from '../spec/schema';
import { useAppStore } from '../state/store';
import { Field, hintProps } from './Field';
import { HINTS } from './hints';

export function CodebookField() {
  const id = useId(), scalingId = useId();
  const format = useAppStore((s) => (s.spec.recipe.format.kind === 'codebook' ? s.spec.recipe.format : null));
  const setCodebook = useAppStore((s) => s.setCodebook);
  const [draft, setDraft] = useState(() => format?.levels.join(', ') ?? '');
  const [error, setError] = useState<string | null>(null);
  if (!format) return null;
  const apply = (text: string, scaling: UserCodebookFormat['scaling']) => {
    const parsed = parseCodebook(text);
    setError(parsed.ok ? null : parsed.error);
    if (parsed.ok) setCodebook(parsed.levels, scaling);
  };
  return (
    <>
      <Field id={id} label="Levels" hint={HINTS.codebookLevels}>
        <textarea
          {...hintProps(id, HINTS.codebookLevels)} data-testid="control-codebook" rows={2} value={draft}
          aria-invalid={error !== null} spellCheck={false}
          onChange={(e) => { setDraft(e.currentTarget.value); apply(e.currentTarget.value, format.scaling); }}
        />
        {error && <p className="field-warning" role="alert" data-testid="codebook-error">{error} The last valid codebook is still in use.</p>}
      </Field>
      <Field id={scalingId} label="Scaling" hint={HINTS.userCodebook}>
        <select {...hintProps(scalingId, HINTS.userCodebook)} data-testid="control-codebook-scaling" value={format.scaling}
          onChange={(e) => setCodebook([...format.levels], e.currentTarget.value as UserCodebookFormat['scaling'])}>
          <option value="absmax">× each group's absmax</option>
          <option value="raw">raw values</option>
        </select>
      </Field>
    </>
  );
}
