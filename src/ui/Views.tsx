// ui: the centre area: the view tabs (only views that exist) and the selected view's panel.
import { ErrorBoundary } from './ErrorBoundary';
import { TensorView } from './TensorView';

export function Views() {
  return (
    <main className="views">
      <div className="tabs" role="tablist" aria-label="Views">
        <button type="button" role="tab" id="tab-tensor" aria-selected="true" aria-controls="panel-tensor" className="tab">
          Tensor
        </button>
      </div>
      <section className="view-panel" role="tabpanel" id="panel-tensor" aria-labelledby="tab-tensor">
        <ErrorBoundary what="The tensor view">
          <TensorView />
        </ErrorBoundary>
      </section>
    </main>
  );
}
