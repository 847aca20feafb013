// ui: the centre area: the view tabs (Tensor, Model) with arrow-key navigation, and the selected view's panel.
import { type KeyboardEvent, useRef, useState } from 'react';
import { ErrorBoundary } from './ErrorBoundary';
import { ModelInspector } from './ModelInspector';
import { TensorView } from './TensorView';

const TABS = [
  { id: 'tensor', label: 'Tensor' },
  { id: 'model', label: 'Model' },
] as const;
type TabId = (typeof TABS)[number]['id'];

export function Views() {
  const [tab, setTab] = useState<TabId>('tensor');
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
        {tab === 'tensor' ? (
          <ErrorBoundary what="The tensor view"><TensorView /></ErrorBoundary>
        ) : (
          <ErrorBoundary what="The model view"><ModelInspector onPicked={() => setTab('tensor')} /></ErrorBoundary>
        )}
      </section>
    </main>
  );
}
