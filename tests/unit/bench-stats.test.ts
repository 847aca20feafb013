// tests: the benchmark suite's pure helpers (bench/stats.ts: medians, ratios, submit sizing, adapter fingerprints, number formatting) and the emulator guard's rules (bench/guard.ts).
import { describe, expect, it } from 'vitest';
import { beatsCopy, GPU_FILL_THREADS, GUARD_WIN, guardVerdict } from '../../bench/guard';
import {
  type AdapterFingerprint, adapterLabel, fingerprintId, formatCount, formatFingerprint, formatMs, formatRate, formatRatio, median, opsPerSubmit, ratio, sig,
} from '../../bench/stats';

const FINGERPRINT: AdapterFingerprint = {
  runtime: 'node (Dawn)', vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device', fallback: true,
  features: ['subgroups', 'timestamp-query'], subgroupMinSize: 4, subgroupMaxSize: 4,
  limits: { maxBufferSize: 2 ** 30, maxComputeWorkgroupStorageSize: 32768 },
};

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the two middle values of an even count, in any order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
  it('is NaN for no values or any NaN (a failed sample must not hide)', () => {
    expect(median([])).toBeNaN();
    expect(median([1, NaN, 2])).toBeNaN();
  });
  it('leaves its input unsorted', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('ratio', () => {
  it('divides two measurements', () => expect(ratio(3, 2)).toBe(1.5));
  it('is null when either side is missing, not finite, or the divisor is not positive', () => {
    expect(ratio(null, 1)).toBeNull();
    expect(ratio(1, undefined)).toBeNull();
    expect(ratio(Infinity, 1)).toBeNull();
    expect(ratio(1, NaN)).toBeNull();
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(1, -2)).toBeNull();
  });
});

describe('opsPerSubmit', () => {
  it('fills a submit to about the target time', () => expect(opsPerSubmit(2, 40, 64)).toBe(20));
  it('clamps to [1, max]', () => {
    expect(opsPerSubmit(100, 40, 64)).toBe(1);
    expect(opsPerSubmit(0.01, 40, 64)).toBe(64);
  });
  it('takes the maximum when the one-operation time is not a positive number (a timer that saw nothing)', () => {
    expect(opsPerSubmit(0, 40, 16)).toBe(16);
    expect(opsPerSubmit(NaN, 40, 16)).toBe(16);
    expect(opsPerSubmit(-1, 40, 16)).toBe(16);
  });
});

describe('adapter fingerprints', () => {
  it('names the adapter by vendor and architecture, else by its description (Dawn\'s GL backend leaves both empty)', () => {
    expect(adapterLabel(FINGERPRINT)).toBe('google · swiftshader');
    expect(adapterLabel({ ...FINGERPRINT, vendor: '', architecture: '' })).toBe('SwiftShader Device');
    expect(adapterLabel({ ...FINGERPRINT, vendor: '', architecture: '', description: '' })).toBe('unknown adapter');
  });
  it('gives an id of a slug and 4 hex digits, equal for equal fingerprints', () => {
    const id = fingerprintId(FINGERPRINT);
    expect(id).toMatch(/^google-swiftshader#[0-9a-f]{4}$/);
    expect(fingerprintId(structuredClone(FINGERPRINT))).toBe(id);
  });
  it('makes the slug of lower-case letters and digits joined by single dashes, at most 32 long, never ending in a dash', () => {
    // Dawn's GL backend: empty vendor and architecture, so the description names the adapter.
    const gl = { ...FINGERPRINT, vendor: '', architecture: '', description: 'OpenGL version: OpenGL ES 3.2 Mesa 23.2.1' };
    expect(fingerprintId(gl)).toMatch(/^opengl-version-opengl-es-3-2-mes#[0-9a-f]{4}$/);
    // 26 letters, a space, 4 letters, a space: the 32nd character would be the dash the space became.
    const cut = { ...gl, description: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ abcd efgh' };
    expect(fingerprintId(cut)).toMatch(/^abcdefghijklmnopqrstuvwxyz-abcd#[0-9a-f]{4}$/);
    expect(fingerprintId({ ...gl, description: '(llvmpipe)' })).toMatch(/^llvmpipe#/);
  });
  it('does not depend on the order the limits were read in', () => {
    const reversed = { ...FINGERPRINT, limits: Object.fromEntries(Object.entries(FINGERPRINT.limits).reverse()) };
    expect(Object.keys(reversed.limits)).not.toEqual(Object.keys(FINGERPRINT.limits));
    expect(fingerprintId(reversed)).toBe(fingerprintId(FINGERPRINT));
  });
  it('gives another id when a feature, a limit, the runtime or the subgroup sizes differ', () => {
    const id = fingerprintId(FINGERPRINT);
    const variants: AdapterFingerprint[] = [
      { ...FINGERPRINT, features: ['subgroups'] },
      { ...FINGERPRINT, limits: { ...FINGERPRINT.limits, maxBufferSize: 2 ** 28 } },
      { ...FINGERPRINT, runtime: 'chromium 140' },
      { ...FINGERPRINT, subgroupMaxSize: 8 },
    ];
    const ids = variants.map(fingerprintId);
    for (const other of ids) expect(other).not.toBe(id);
    expect(new Set(ids).size).toBe(ids.length);
  });
  it('prints features, subgroup sizes, the fallback flag and limits on one line', () => {
    const line = formatFingerprint(FINGERPRINT);
    expect(line).toContain('fallback (software) adapter');
    expect(line).toContain('subgroup sizes 4–4');
    expect(line).toContain('features: subgroups, timestamp-query');
    expect(line).toContain('maxBufferSize 1 Gi');
    expect(line).toContain('maxComputeWorkgroupStorageSize 32 Ki');
    expect(formatFingerprint({ ...FINGERPRINT, subgroupMinSize: null, fallback: null, features: [] })).toContain('subgroup sizes not exposed · features: none');
  });
});

describe('number formatting', () => {
  it('keeps 3 significant digits', () => {
    expect(sig(1234.5)).toBe('1235');
    expect(sig(12.345)).toBe('12.3');
    expect(sig(0.012345)).toBe('0.0123');
    expect(sig(0)).toBe('0');
    expect(sig(-2.5)).toBe('-2.50');
  });
  it('counts the digits after rounding, so a carry into the next decade does not add a fourth digit', () => {
    expect(sig(9.996)).toBe('10.0');
    expect(sig(0.09996)).toBe('0.100');
    expect(sig(99.96)).toBe('100');
    expect(formatRatio(9.999)).toBe('10.0×');
  });
  it('prints rates in decimal units, times in ms below a second, ratios with ×, and – for missing figures', () => {
    expect(formatRate(2.5e9)).toBe('2.50 GB/s');
    expect(formatRate(512)).toBe('512 B/s');
    expect(formatRate(1e12)).toBe('1.00 TB/s');
    expect(formatRate(Infinity)).toBe('–');
    expect(formatRate(null)).toBe('–');
    expect(formatMs(0.4123)).toBe('0.412 ms');
    expect(formatMs(1500)).toBe('1.50 s');
    expect(formatMs(NaN)).toBe('–');
    expect(formatRatio(1.4567)).toBe('1.46×');
    expect(formatRatio(null)).toBe('–');
  });
  it('prints round binary sizes with binary units and other numbers as they are', () => {
    expect(formatCount(134217728)).toBe('128 Mi');
    expect(formatCount(2 ** 30)).toBe('1 Gi');
    expect(formatCount(65535)).toBe('65535');
    expect(formatCount(256)).toBe('256');
    expect(formatCount(3 * 2 ** 10)).toBe('3 Ki');
    expect(formatCount(1536)).toBe('1536');
  });
});

describe('emulator guard', () => {
  const gpuShaped = { threads: 65536, workgroupSize: 256 };
  const reference = { threads: 49152, workgroupSize: 64 };
  it('does not judge what was not measured', () => {
    expect(guardVerdict(null, gpuShaped, reference)).toEqual({ flagged: false, verdict: 'not measured' });
  });
  it('calls a kernel slower or on par without flagging it, whatever its launch', () => {
    const cpuShaped = { threads: 100, workgroupSize: 8 };
    expect(guardVerdict(1 / GUARD_WIN / 1.01, cpuShaped, reference)).toEqual({ flagged: false, verdict: 'slower than the reference' });
    expect(guardVerdict(1, cpuShaped, reference)).toEqual({ flagged: false, verdict: 'on par with the reference' });
    expect(guardVerdict(GUARD_WIN * 0.99, cpuShaped, reference).flagged).toBe(false);
  });
  it('accepts a win with a GPU-shaped launch', () => {
    expect(guardVerdict(GUARD_WIN, gpuShaped, reference)).toEqual({ flagged: false, verdict: 'wins (GPU-shaped launch)' });
  });
  it('flags a win with fewer than half of min(reference threads, GPU_FILL_THREADS) threads', () => {
    const floor = Math.min(reference.threads, GPU_FILL_THREADS) / 2;
    const v = guardVerdict(2, { threads: floor - 1, workgroupSize: 256 }, reference);
    expect(v.flagged).toBe(true);
    expect(v.verdict).toContain(`${floor - 1} threads < ${floor}`);
    expect(guardVerdict(2, { threads: floor, workgroupSize: 256 }, reference).flagged).toBe(false);
  });
  it('flags a win with workgroups smaller than 64 or not a multiple of 32', () => {
    expect(guardVerdict(2, { threads: 65536, workgroupSize: 32 }, reference).verdict).toContain('workgroups of 32');
    expect(guardVerdict(2, { threads: 65536, workgroupSize: 96 }, reference).flagged).toBe(false);
    expect(guardVerdict(2, { threads: 65536, workgroupSize: 80 }, reference).flagged).toBe(true);
  });
  it('names both problems of a launch with too few threads in too small workgroups', () => {
    const v = guardVerdict(3, { threads: 512, workgroupSize: 16 }, reference);
    expect(v).toEqual({ flagged: true, verdict: `FLAGGED: wins with a CPU-shaped launch (512 threads < ${GPU_FILL_THREADS / 2}, workgroups of 16)` });
  });
  it('takes half the reference\'s threads as the floor when the reference launches fewer than GPU_FILL_THREADS', () => {
    const small = { threads: 1024, workgroupSize: 64 }; // e.g. a 16-row matvec_ref
    expect(guardVerdict(2, { threads: 511, workgroupSize: 256 }, small).verdict).toContain('511 threads < 512');
    expect(guardVerdict(2, { threads: 512, workgroupSize: 256 }, small).flagged).toBe(false);
  });
  it('flags effective bandwidth above the copy kernel\'s beyond the noise slack', () => {
    expect(beatsCopy(1.2)).toBe(true);
    expect(beatsCopy(1.05)).toBe(false);
    expect(beatsCopy(null)).toBe(false);
    expect(beatsCopy(1.05, 1.01)).toBe(true);
  });
});
