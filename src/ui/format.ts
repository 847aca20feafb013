// ui: number formatting with meaning-sized precision (SQNR 1 decimal, MSE 3 significant digits, sizes in KB/MB).

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
};

/**
 * `digits` significant digits: plain notation for magnitudes in [0.001, 1000), otherwise
 * "1.23 × 10⁻⁵" (MSE of weights ~0.02 is tiny, and "1.23e-5" reads badly).
 */
export function formatSig(x: number, digits = 3): string {
  if (Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const [mantissa, exp] = x.toExponential(digits - 1).split('e').map(Number);
  const sign = x < 0 ? '−' : '';
  if (exp >= -3 && exp < 3) return sign + Math.abs(x).toPrecision(digits);
  const sup = String(exp).split('').map((c) => SUPERSCRIPT[c] ?? c).join('');
  return `${sign}${Math.abs(mantissa).toFixed(digits - 1)} × 10${sup}`;
}

/** Like formatSig without trailing zeros ("0.5", not "0.500"): for axis-like numbers such as bin edges. */
export function formatShort(x: number, digits = 4): string {
  return formatSig(x, digits).replace(/(\.\d*?)0+(?=$| )/, '$1').replace(/\.(?=$| )/, '');
}

/** A ratio in decibels with one decimal; a lossless result has infinite SQNR. */
export function formatDb(db: number): string {
  if (db === Infinity) return '∞ dB';
  return `${db < 0 ? '−' : ''}${Math.abs(db).toFixed(1)} dB`;
}

/** Bits per weight with three decimals, e.g. "4.500". */
export function formatBits(bpw: number): string {
  return bpw.toFixed(3);
}

/** Bytes as B, KB or MB (SI, 1 KB = 1000 B) with three significant digits. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  if (bytes < 999.5e3) return `${Number((bytes / 1e3).toPrecision(3))} KB`;
  return `${Number((bytes / 1e6).toPrecision(3))} MB`;
}

/** An integer count with thousands separators, e.g. "16,384". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A duration: "0.8 ms", "42 ms", "1.3 s". */
export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A cosine similarity with six decimals ("0.999986"); the note beside it gives 1 − cos for values this rounds to 1. */
export function formatCosine(c: number): string {
  if (Number.isNaN(c)) return '—';
  return `${c < 0 ? '−' : ''}${Math.abs(c).toFixed(6)}`;
}

/** A fixed number of decimals with a real minus sign; `signed` adds "+" to positive values (an excess over a reference). */
export function formatFixed(x: number, decimals = 2, signed = false): string {
  if (Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const text = Math.abs(x).toFixed(decimals);
  if (x < 0 && Number(text) !== 0) return `−${text}`;
  return signed ? `+${text}` : text;
}
