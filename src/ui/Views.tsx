// ui: the centre area: the view tabs (Tensor, Outliers, Model, Evaluate) with arrow-key navigation, and the selected view's panel.
import { type KeyboardEvent, type ReactNode, useRef } from 'react';
import type { ViewTab } from '../spec/schema';
import { useAppStore } from '../state/store';
import { ErrorBoundary } from './ErrorBoundary';
import { EvaluateView } from './EvaluateView';
import { ModelInspector } from './ModelInspector';
import { OutliersView } from './OutliersView';
import { TensorView } from './TensorView';

type TabId = ViewTab;

/** The views in tab order; `render` gets a function that switches to another tab. */
const TABS: readonly { id: TabId; label: string; what: string; render: (goTo: (id: TabId) => void) => ReactNode }[] = [
  { id: 'tensor', label: 'Tensor', what: 'The tensor view', render: () => <TensorView /> },
  { id: 'outliers', label: 'Outliers', what: 'The outliers view', render: () => <OutliersView /> },
  { id: 'model', label: 'Model', what: 'The model view', render: (goTo) => <ModelInspector onPicked={() => goTo('tensor')} /> },
  { id: 'evaluate', label: 'Evaluate', what: 'The evaluation view', render: () => <EvaluateView /> },
];

export function Views() {
  // The open view is part of the spec, so a link reopens it.
  const tab = useAppStore((s) => s.spec.view.tab ?? 'tensor');
  const setTab = useAppStore((s) => s.setViewTab);
  const buttons = useRef<Record<string, HTMLButtonElement | null>>({});
  const select = (id: TabId) => { setTab(id); buttons.current[id]?.focus(); };
  const onKeyDown = (e: KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.id === tab);
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    select(TABS[(next + TABS.length) % TABS.length].id);
  };
  return (
    <main className="views">
      <div className="tabs" role="tablist" aria-label="Views" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.id} type="button" role="tab" id={`tab-${t.id}`} aria-selected={tab === t.id} aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1} className="tab" ref={(el) => { buttons.current[t.id] = el; }} onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <section className="view-panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {TABS.filter((t) => t.id === tab).map((t) => <ErrorBoundary key={t.id} what={t.what}>{t.render(setTab)}</ErrorBoundary>)}
      </section>
    </main>
  );
}
