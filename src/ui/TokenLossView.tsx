// ui: the text coloured by how much each token's loss rose under quantization (red: worse, blue: better), with the worst tokens in words.
import type { TokenDelta } from '../engine/evaluate';
import { formatFixed } from './format';

/** Loss change (nats) at which the colour saturates. */
const SATURATION = 2;

/** Background for a loss change: transparent at 0, Okabe-Ito vermillion for a rise, blue for a fall. */
function colour(delta: number | null): string | undefined {
  if (delta === null || delta === 0) return undefined;
  const a = Math.min(1, Math.abs(delta) / SATURATION) * 0.75;
  return delta > 0 ? `rgba(213, 94, 0, ${a.toFixed(3)})` : `rgba(0, 114, 178, ${a.toFixed(3)})`;
}

/** A token's text with spaces and line breaks visible enough to read. */
const shown = (text: string) => text.replace(/\n/g, '↵\n');

export function TokenLossView({ tokens }: { readonly tokens: readonly TokenDelta[] }) {
  const worst = tokens
    .map((t, i) => ({ ...t, i }))
    .filter((t) => t.deltaNll !== null)
    .sort((a, b) => (b.deltaNll ?? 0) - (a.deltaNll ?? 0))
    .slice(0, 5);
  return (
    <figure className="token-loss" data-testid="token-loss">
      <figcaption>
        Each token coloured by how much its loss rose (red) or fell (blue) under quantization, saturating at ±{SATURATION} nats; hover for the number.
        {worst.length > 0 && <> Largest rises: {worst.map((t) => `“${t.text.trim() || t.text}” +${formatFixed(t.deltaNll ?? 0, 2)}`).join(', ')}.</>}
      </figcaption>
      <p className="token-text">
        {tokens.map((t, i) => (
          <span key={i} style={{ background: colour(t.deltaNll) }} title={t.deltaNll === null ? 'not scored' : `Δ loss ${formatFixed(t.deltaNll, 3, true)} nats`}>
            {shown(t.text)}
          </span>
        ))}
      </p>
    </figure>
  );
}
