// ui: the header's "Copy link" button with its "copied" confirmation, and the message about the link the page was opened with.
import { useEffect, useState } from 'react';
import { appLinkStore, linkFor, shareableAddress, useLinkStore } from '../state/linkSync';
import { useAppStore } from '../state/store';
import './share.css';

type CopyState = { readonly kind: 'idle' } | { readonly kind: 'copied' } | { readonly kind: 'manual'; readonly url: string };

/** How long "Copied" stays visible. */
const CONFIRM_MS = 2500;

export function ShareLink() {
  const spec = useAppStore((s) => s.spec);
  const [copy, setCopy] = useState<CopyState>({ kind: 'idle' });
  useEffect(() => {
    if (copy.kind !== 'copied') return;
    const timer = setTimeout(() => setCopy({ kind: 'idle' }), CONFIRM_MS);
    return () => clearTimeout(timer);
  }, [copy]);
  const onCopy = async () => {
    const url = await linkFor(spec, shareableAddress(window.location.href));
    try {
      await navigator.clipboard.writeText(url);
      setCopy({ kind: 'copied' });
    } catch {
      setCopy({ kind: 'manual', url }); // no clipboard permission (or an insecure page): show the link to copy by hand
    }
  };
  return (
    <div className="share-link">
      <button
        type="button" className="button button-small" data-testid="copy-link" onClick={() => void onCopy()}
        title="Copy a link to this experiment (source, recipe and view; never your hub token). Whoever opens it sees the same numbers."
      >
        Copy link
      </button>
      {copy.kind === 'copied' && <span className="copied" role="status" data-testid="link-copied">Copied ✓</span>}
      {copy.kind === 'manual' && (
        <input
          className="copy-fallback" readOnly value={copy.url} aria-label="Link to this experiment (the clipboard is blocked: copy it from here)"
          data-testid="link-fallback" ref={(el) => el?.select()}
        />
      )}
      <LinkMessage />
    </div>
  );
}

/** Notices about the opened link, a file it waits for, or why it could not be read; stays until dismissed. */
function LinkMessage() {
  const message = useLinkStore((s) => s.message);
  if (!message) return null;
  return (
    <div className={`link-message ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="link-message">
      <p>{message.text}</p>
      <button type="button" className="button button-small" aria-label="Dismiss this message" onClick={() => appLinkStore.setState({ message: null })}>×</button>
    </div>
  );
}
