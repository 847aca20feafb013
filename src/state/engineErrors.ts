// state: turns engine error codes and worker failures into messages that say what happened and what to do.
import type { EngineErrorCode } from '../engine/protocol';
import type { ModelLoadErrorCode } from '../model/types';

/** Where the fix for a model that needs a token is. */
const TOKEN_HINT = ' (Open another model… → Token for gated repos)';

const CPU_HINT = 'add ?backend=cpu to the address to compute on the CPU reference';

/** A readable message for an engine `error` response. */
export function describeEngineError(code: EngineErrorCode, message: string, loadError?: ModelLoadErrorCode): string {
  switch (code) {
    case 'invalid-spec': return `These settings are not valid: ${message}. Change them or reset to the defaults.`;
    case 'gpu-lost': return `The GPU was lost (${message}). Reload the page, or ${CPU_HINT}.`;
    case 'gpu-error': return `The GPU reported an error: ${message}. Try again, or ${CPU_HINT}.`;
    case 'model': return loadError === 'unauthorized' || (loadError === 'not-found' && /token/.test(message)) ? `${message}${TOKEN_HINT}` : message;
    case 'internal': return `The engine failed: ${message}. Try again or reload the page.`;
  }
}

/** A readable message for a worker that failed to load or crashed. */
export function describeWorkerFailure(detail: string): string {
  const why = detail ? ` (${detail})` : '';
  return `The compute engine stopped${why}. Change a setting to restart it, or reload the page.`;
}
