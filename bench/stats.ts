// bench: pure helpers of the benchmark suite (medians, ratios, adapter fingerprints, number formatting); no GPU, no DOM, no Node.
import { lowbias32 } from '../src/lib/hash';

/** Median of `values` (the mean of the two middle values for an even count); NaN when empty or when any value is NaN. */
export function median(values: readonly number[]): number {
  if (values.length === 0 || values.some(Number.isNaN)) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * a / b as a ratio of two measurements; null when either is missing or not finite, or b is not
 * positive (a ratio against nothing is no figure, and 0/0 must not print as "NaN×").
 */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}

/** What identifies a WebGPU adapter in a result: who made it, what it can do, and its key limits. */
export interface AdapterFingerprint {
  /** Where the bench ran: "node (Dawn, webgpu package)" or "chromium (headless)" with its version. */
  readonly runtime: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** GPUAdapterInfo.isFallbackAdapter: true for software adapters that say so (SwiftShader does, llvmpipe through GL does not). */
  readonly fallback: boolean | null;
  /** Sorted feature names. */
  readonly features: readonly string[];
  /** Subgroup sizes the adapter reports (null when not exposed). */
  readonly subgroupMinSize: number | null;
  readonly subgroupMaxSize: number | null;
  /** The limits that shape these kernels, by their WebGPU names. */
  readonly limits: Readonly<Record<string, number>>;
}

/** The limits a fingerprint keeps (they bound buffer sizes, workgroup shapes and shared memory). */
export const KEY_LIMITS = [
  'maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage',
] as const;

/** The adapter's name as people say it: "google · swiftshader", or the description when vendor and architecture are empty (Dawn's GL backend). */
export function adapterLabel(f: AdapterFingerprint): string {
  const named = [f.vendor, f.architecture].filter(Boolean).join(' · ');
  return named || f.description || 'unknown adapter';
}

/**
 * A short id to print beside every figure: a slug of the adapter's name and 4 hex digits of a
 * hash of the whole fingerprint (so two adapters with one name but other features or limits differ).
 */
export function fingerprintId(f: AdapterFingerprint): string {
  const slug = adapterLabel(f).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-/, '').slice(0, 32).replace(/-$/, '');
  const text = JSON.stringify([f.runtime, f.vendor, f.architecture, f.description, f.fallback, f.features, f.subgroupMinSize, f.subgroupMaxSize,
    Object.entries(f.limits).sort(([a], [b]) => a.localeCompare(b))]);
  let h = 0x9e3779b9;
  for (let i = 0; i < text.length; i++) h = lowbias32(h ^ text.charCodeAt(i));
  return `${slug}#${(h >>> 16).toString(16).padStart(4, '0')}`;
}

/** The fingerprint on one line: runtime, adapter, fallback flag, subgroup sizes, features and key limits. */
export function formatFingerprint(f: AdapterFingerprint): string {
  const subgroups = f.subgroupMinSize === null ? 'subgroup sizes not exposed' : `subgroup sizes ${f.subgroupMinSize}–${f.subgroupMaxSize}`;
  const limits = Object.entries(f.limits).map(([k, v]) => `${k} ${formatCount(v)}`).join(', ');
  return [
    f.runtime, adapterLabel(f), f.description && adapterLabel(f) !== f.description ? f.description : '',
    f.fallback === null ? '' : f.fallback ? 'fallback (software) adapter' : 'not flagged as fallback',
    subgroups, `features: ${f.features.length ? f.features.join(', ') : 'none'}`, `limits: ${limits}`,
  ].filter(Boolean).join(' · ');
}

/** An integer with binary units when it is a round power-of-two size (134217728 → "128 Mi"), else as is. */
export function formatCount(v: number): string {
  for (const [unit, size] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (v >= size && v % size === 0) return `${v / size} ${unit}`;
  }
  return String(v);
}

/** Bytes per second as "12.3 GB/s" (decimal units, 3 significant digits). */
export function formatRate(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null || !Number.isFinite(bytesPerSecond)) return '–';
  const units: [string, number][] = [['TB/s', 1e12], ['GB/s', 1e9], ['MB/s', 1e6], ['kB/s', 1e3]];
  const [unit, size] = units.find(([, s]) => bytesPerSecond >= s) ?? ['B/s', 1];
  return `${sig(bytesPerSecond / size)} ${unit}`;
}

/** Milliseconds with 3 significant digits ("0.412 ms", "1.23 s" from 1000 ms up). */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  return ms >= 1000 ? `${sig(ms / 1000)} s` : `${sig(ms)} ms`;
}

/** A ratio as "1.42×" (null: "–"). */
export function formatRatio(r: number | null): string {
  return r === null || !Number.isFinite(r) ? '–' : `${sig(r)}×`;
}

/** 3 significant digits without exponent noise for the sizes met here (integers from 1000 up keep all their digits). */
export function sig(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  // The magnitude after rounding to 3 digits, so that 9.996 prints as "10.0", not "10.00".
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(Number(x.toPrecision(3))))));
  return x.toFixed(Math.min(digits, 6));
}

/** How many operations to put in one submit so that it lasts about `targetMs`, given one operation's time: clamped to [1, max]. */
export function opsPerSubmit(oneOpMs: number, targetMs: number, max: number): number {
  if (!(oneOpMs > 0)) return max;
  return Math.max(1, Math.min(max, Math.round(targetMs / oneOpMs)));
}
