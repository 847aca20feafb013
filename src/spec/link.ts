// spec: experiment links (the whole spec compressed into the URL hash), their checked decoding with migrations and clamping, and the results checksum.
//
// Link format 1: `#s=1.<payload>`, payload = base64url without padding (RFC 4648 §5) of the
// deflate-raw stream (RFC 1951) of the spec's JSON text (UTF-8). The spec carries its own schema
// version inside; `1.` is the version of this encoding. docs/SPEC.md describes both.
import { migrateSpec } from './migrations';
import { type ExperimentSpec, experimentSpecSchema, type ModelRef } from './schema';

/** The hash parameter that holds a link: `#s=...`. */
export const LINK_PARAM = 's';
/** Version of the link encoding (not of the spec schema, which the spec carries as `version`). */
export const LINK_FORMAT = 1;
/** Longest payload read (characters): far above any spec (a 256-level codebook is ~4 kB), far below what hurts. */
export const MAX_LINK_PAYLOAD = 65_536;
/** Largest decompressed spec read (bytes), so a crafted link cannot inflate into gigabytes. */
export const MAX_SPEC_JSON_BYTES = 262_144;

/** A readable, valid spec with what was adjusted on the way; or a message that says why not. */
export type SpecOutcome =
  | { readonly ok: true; readonly spec: ExperimentSpec; readonly notices: readonly string[] }
  | { readonly ok: false; readonly message: string };

const fail = (what: string, reason: string): SpecOutcome => ({ ok: false, message: `${what} could not be read: ${reason}.` });

// --- bytes <-> base64url -------------------------------------------------------------------------

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Bytes of a base64url string, or null when it has characters outside the alphabet or an impossible length. */
function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

// --- deflate-raw through the platform's streams (browsers and Node >= 20) ----------------------

/** Runs `bytes` through a (de)compression stream; rejects when the output passes `limit` bytes or the stream fails. */
async function transform(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, limit: number): Promise<Uint8Array> {
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      void reader.cancel().catch(() => {});
      throw new RangeError(`more than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

// --- encode / decode -----------------------------------------------------------------------------

/** The hash parameter of a link to `spec`: `s=1.<payload>` (put it after `#`). */
export async function encodeLink(spec: ExperimentSpec): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(experimentSpecSchema.parse(spec)));
  const packed = await transform(json, new CompressionStream('deflate-raw'), Number.MAX_SAFE_INTEGER);
  return `${LINK_PARAM}=${LINK_FORMAT}.${toBase64Url(packed)}`;
}

/**
 * The link value (`1.<payload>`) in a URL, a hash (`#s=...`) or the bare parameter (`s=...`);
 * null when there is no `s` parameter at all (a plain address opens the default view silently).
 */
export function linkValue(text: string): string | null {
  const hash = text.includes('#') ? text.slice(text.indexOf('#') + 1) : text;
  return new URLSearchParams(hash).get(LINK_PARAM);
}

/**
 * Reads a link (URL, `#s=...`, `s=...` or the bare `1.<payload>`): decodes, decompresses (at
 * most MAX_SPEC_JSON_BYTES), parses, migrates and validates it with {@link readSpec}. Resolves to
 * the spec or to a message saying what is wrong; never rejects, whatever the input.
 */
export async function decodeLink(text: string): Promise<SpecOutcome> {
  const what = 'This link';
  const value = linkValue(text) ?? text.trim();
  const dot = value.indexOf('.');
  const format = dot > 0 ? value.slice(0, dot) : '';
  if (!/^\d{1,6}$/.test(format)) return fail(what, 'it does not start with a link version ("#s=1.…"); check that it was copied whole');
  if (Number(format) > LINK_FORMAT) return fail(what, `it uses link format ${Number(format)}, newer than this lowbit reads (${LINK_FORMAT}). Reload the page to get the newest lowbit`);
  if (Number(format) !== LINK_FORMAT) return fail(what, `link format ${Number(format)} does not exist`);
  const payload = value.slice(dot + 1);
  if (payload.length > MAX_LINK_PAYLOAD) return fail(what, `it is ${payload.length} characters long, more than the ${MAX_LINK_PAYLOAD} any experiment needs`);
  const bytes = fromBase64Url(payload);
  if (!bytes || bytes.length === 0) return fail(what, 'it has characters a link never contains, or was cut short; check that it was copied whole');
  let json: Uint8Array;
  try {
    json = await transform(bytes, new DecompressionStream('deflate-raw'), MAX_SPEC_JSON_BYTES);
  } catch (e) {
    return fail(what, e instanceof RangeError
      ? `it unpacks to ${e.message}, more than any experiment needs`
      : 'its data is damaged (it does not decompress); check that it was copied whole');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    return fail(what, 'its data is damaged (it is not valid JSON text)');
  }
  return readSpec(raw, what);
}

// --- validation with repairs ---------------------------------------------------------------------

type Path = readonly PropertyKey[];
const pathText = (path: Path) => path.map(String).join('.') || 'the spec';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function getAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const k of path) v = isObject(v) && Object.hasOwn(v, k) ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function setAt(root: unknown, path: Path, value: unknown): void {
  let v = root;
  for (const k of path.slice(0, -1)) v = (v as Record<PropertyKey, unknown>)[k];
  (v as Record<PropertyKey, unknown>)[path[path.length - 1]] = value;
}

/** What zod reports that we can repair: a number outside an inclusive bound, or a fraction where a whole number belongs. */
interface Issue {
  readonly code: string;
  readonly path: PropertyKey[];
  readonly message: string;
  readonly origin?: string;
  readonly expected?: string;
  readonly inclusive?: boolean;
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
}

/** The repaired value and the notice for a fixable issue, or null. */
function repair(issue: Issue, value: unknown): { value: number; notice: string } | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const where = pathText(issue.path);
  if (issue.code === 'invalid_type' && issue.expected === 'int') {
    return { value: Math.round(value), notice: `${where} was ${value}, not a whole number: rounded to ${Math.round(value)}` };
  }
  if (issue.origin !== 'number' || issue.inclusive !== true) return null;
  if (issue.code === 'too_big' && issue.maximum !== undefined) {
    const max = Number(issue.maximum);
    return { value: max, notice: `${where} was ${value}, above the largest allowed (${max}): set to ${max}` };
  }
  if (issue.code === 'too_small' && issue.minimum !== undefined) {
    const min = Number(issue.minimum);
    return { value: min, notice: `${where} was ${value}, below the smallest allowed (${min}): set to ${min}` };
  }
  return null;
}

/** Notices for keys of `input` that the validated `output` dropped (settings this lowbit does not know). */
function droppedKeys(input: unknown, output: unknown, path: PropertyKey[] = []): string[] {
  if (!isObject(input) || !isObject(output)) return [];
  const notices: string[] = [];
  for (const key of Object.keys(input)) {
    const inner = [...path, key];
    if (!Object.hasOwn(output, key)) notices.push(`ignored ${pathText(inner)}, a setting this lowbit does not know`);
    else notices.push(...droppedKeys((input as Record<string, unknown>)[key], (output as Record<string, unknown>)[key], inner));
  }
  return notices;
}

/**
 * A parsed spec (from a link or a spec.json file) as a valid current spec: migrated from its
 * version (src/spec/migrations.ts), numbers outside their range clamped and fractions where whole
 * numbers belong rounded, unknown settings dropped, each with a notice; anything else (an unknown
 * format, a missing field) refused with a message naming the field. Never throws.
 */
export function readSpec(raw: unknown, what = 'This spec'): SpecOutcome {
  try {
    return repairedSpec(raw, what);
  } catch (e) {
    // JSON nested thousands deep overflows the stack of a copy or a walk; no spec is nested so deep.
    if (e instanceof RangeError) return fail(what, 'its data is nested far deeper than any experiment');
    throw e;
  }
}

function repairedSpec(raw: unknown, what: string): SpecOutcome {
  const migrated = migrateSpec(raw);
  if (!migrated.ok) return fail(what, migrated.message);
  const candidate = structuredClone(migrated.spec);
  const notices = [...migrated.notices];
  for (let attempt = 0; attempt < 64; attempt++) {
    const parsed = experimentSpecSchema.safeParse(candidate);
    if (parsed.success) return { ok: true, spec: parsed.data, notices: [...notices, ...droppedKeys(candidate, parsed.data)] };
    const issues = parsed.error.issues as Issue[];
    const fixes = issues.map((issue) => ({ issue, fix: repair(issue, getAt(candidate, issue.path)) }));
    const unfixable = fixes.find((f) => f.fix === null);
    if (unfixable) return fail(what, `${pathText(unfixable.issue.path)}: ${unfixable.issue.message}`);
    for (const { issue, fix } of fixes) {
      setAt(candidate, issue.path, fix?.value);
      notices.push(fix?.notice ?? '');
    }
  }
  return fail(what, 'its values could not be brought into range');
}

// --- local files ---------------------------------------------------------------------------------

type LocalRef = Extract<ModelRef, { kind: 'local' }>;

/** Whether `actual` is the local file a link names as `expected`: the same sha256, or (a file too large to hash) the same size. The name may differ. */
export function sameLocalFile(expected: LocalRef, actual: LocalRef): boolean {
  return expected.sha256 && actual.sha256 ? expected.sha256 === actual.sha256 : expected.bytes === actual.bytes;
}

// --- results checksum ----------------------------------------------------------------------------

/** The headline numbers the checksum covers (TensorResult['metrics'] has them). */
export interface ChecksumMetrics {
  readonly mse: number;
  readonly sqnrDb: number;
  readonly maxAbsErr: number;
  readonly bitsPerWeight: number;
}

/** The text the checksum hashes: each number to 4 significant digits (JavaScript `toPrecision(4)`; `NaN`, `Infinity` as is). */
export function checksumText(m: ChecksumMetrics): string {
  const p = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : String(x));
  return `lowbit-results-v1 mse=${p(m.mse)} sqnr=${p(m.sqnrDb)} maxerr=${p(m.maxAbsErr)} bpw=${p(m.bitsPerWeight)}`;
}

/**
 * 8 hex digits identifying a result: 32-bit FNV-1a (offset basis 0x811c9dc5, prime 0x01000193)
 * of {@link checksumText}'s ASCII bytes. Two runs agree when every headline number agrees to 4
 * significant digits (two backends within tolerance can, rarely, straddle a rounding step).
 */
export function resultChecksum(m: ChecksumMetrics): string {
  let h = 0x811c9dc5;
  for (const c of checksumText(m)) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
