// tests: the benchmark's printed table and docs/BENCHMARKS.md (bench/report.ts): adapter ids beside every figure, failed checks visible, and the targets judged from the records.
import { describe, expect, it } from 'vitest';
import { markdownReport, PEER_TARGET, targetRows, textTable } from '../../bench/report';
import type { AdapterFingerprint } from '../../bench/stats';
import type { BenchRecord, BenchRun, Timing } from '../../bench/types';

const fingerprint = (runtime: string, architecture: string): AdapterFingerprint => ({
  runtime, vendor: 'google', architecture, description: '', fallback: true, features: ['timestamp-query'],
  subgroupMinSize: null, subgroupMaxSize: null, limits: { maxBufferSize: 2 ** 30 },
});
const timing: Timing = { method: 'timestamp-query', ms: 2, wallMs: 2.5, samples: [2, 2, 2], opsPerSubmit: 8, repeats: 3, warmups: 1 };
const ok = { against: 'CPU reference', maxAbsDiff: 0, tolerance: 0, ok: true };

function run(records: BenchRecord[], problems: string[] = []): BenchRun {
  return {
    mode: 'quick', startedAt: '2026-11-22T00:00:00.000Z', durationS: 600,
    machine: { cpus: 2, cpuModel: 'test cpu', memoryGiB: 24, node: 'v20', platform: 'linux x64' },
    adapters: { 'a#0001': fingerprint('node', 'alpha'), 'b#0002': fingerprint('chromium', 'beta') },
    records, problems,
  };
}

const peer = (adapter: string, name: string, speedup: number): BenchRecord => ({
  suite: 'peer', name, adapter, timing, figures: { bits: 'q4', speedup, peerMs: 2 * speedup, oursMs: 2, met: speedup >= PEER_TARGET }, check: ok,
});
const guard = (adapter: string, name: string, flagged: boolean): BenchRecord => ({
  suite: 'guard', name, adapter, timing, figures: { speedupVsReference: 2, flagged, verdict: flagged ? 'FLAGGED: wins with a CPU-shaped launch' : 'wins (GPU-shaped launch)' }, check: ok,
});
const quant = (adapter: string, name: string, timeVsCopy: number): BenchRecord => ({ suite: 'quant', name, adapter, timing, figures: { timeVsCopy }, check: ok });
const fwht = (adapter: string, n: number, timeVsCopy: number): BenchRecord => ({ suite: 'hadamard', name: `FWHT n=${n}`, adapter, timing, figures: { n, timeVsCopy }, check: ok });

const RECORDS: BenchRecord[] = [
  { suite: 'copy', name: 'copy kernel, 16 MiB', adapter: 'a#0001', timing, figures: { bandwidth: 5e9 }, check: ok },
  { suite: 'matmul', name: 'q4 768×768 m=1', adapter: 'a#0001', timing, figures: { fractionOfCopy: 0.5, bandwidth: 2.5e9, gflops: 1 }, check: { ...ok, maxAbsDiff: 1, tolerance: 1e-3, ok: false } },
  guard('b#0002', 'q4 768×768 m=1', false),
  guard('b#0002', 'q4 768×768 m=8', true),
  peer('b#0002', 'q4 768×768 m=1', 2),
  peer('b#0002', 'q4 768×768 m=8', 1.5),
  quant('a#0001', 'INT4: quantize (round trip)', 1.5),
  quant('a#0001', 'INT4: dequantize', 3),
  fwht('a#0001', 64, 2), fwht('a#0001', 4096, 2.5),
  { suite: 'app', name: 'control change to updated charts', adapter: 'b#0002', timing, figures: { ms: 80, met: true }, check: ok },
  { suite: 'app', name: 'initial JavaScript (entry chunks)', adapter: null, figures: { gzipBytes: 400 * 1024, rawBytes: 1e6, met: false } },
  { suite: 'scale', name: 'read every tensor', adapter: null, figures: { seconds: 2, vsRead: 1 } },
  { suite: 'scale', name: 'statistics, app backend', adapter: 'a#0001', figures: { seconds: 5, vsRead: 2.5, target: 3, met: true }, check: ok },
];

const row = (r: BenchRun, key: string) => targetRows(r).filter((t) => t.key === key);

describe('targetRows', () => {
  it('does not meet the peer target when one shape is under the ratio, and names the worst and best shapes', () => {
    const [p] = row(run(RECORDS), 'peer');
    expect(p.met).toBe(false);
    expect(p.adapter).toBe('b#0002');
    expect(p.measured).toContain('1.50× at worst (q4 768×768 m=8)');
    expect(p.measured).toContain('2.00× at best (q4 768×768 m=1)');
  });
  it('does not meet the peer target when every shape is fast enough but a q4 case is flagged by the guard', () => {
    const records = RECORDS.map((r) => (r.suite === 'peer' ? peer(r.adapter as string, r.name, 2) : r));
    const [p] = row(run(records), 'peer');
    expect(p.met).toBe(false);
    expect(p.measured).toContain('flagged by the guard');
    const clean = records.map((r) => (r.suite === 'guard' ? guard(r.adapter as string, r.name, false) : r));
    expect(row(run(clean), 'peer')[0].met).toBe(true);
  });
  it('judges the peer target per adapter: a guard flag on one adapter does not fail another\'s', () => {
    const records = [...RECORDS, peer('a#0001', 'q4 768×768 m=1', 1.4), peer('a#0001', 'q4 768×768 m=8', 1.3)];
    const rows = row(run(records), 'peer');
    expect(rows.map((r) => [r.adapter, r.met])).toEqual([['b#0002', false], ['a#0001', true]]);
    expect(rows[1].measured).toBe('1.30× at worst (q4 768×768 m=8), 1.40× at best (q4 768×768 m=1), 2 shapes');
  });
  it('says the peer was not measured, and why, when no peer figure exists', () => {
    const [p] = row(run(RECORDS.filter((r) => r.suite !== 'peer'), ['peer (onnxruntime-web) on b#0002: session failed']), 'peer');
    expect(p.met).toBeNull();
    expect(p.measured).toContain('session failed');
  });
  it('counts the quantize/dequantize figures within 2× of copy and names the worst', () => {
    const [q] = row(run(RECORDS), 'quant');
    expect(q.met).toBe(false);
    expect(q.measured).toBe('1 of 2 within 2×; worst 3.00× (INT4: dequantize)');
  });
  it('meets the FWHT target only when every size is within 3× of copy', () => {
    expect(row(run(RECORDS), 'fwht')[0].met).toBe(true);
    expect(row(run([...RECORDS, fwht('a#0001', 256, 3.5)]), 'fwht')[0].met).toBe(false);
  });
  it('takes the app targets from the records\' met flags and marks missing ones not measured', () => {
    const r = run(RECORDS);
    expect(row(r, 'control')[0].met).toBe(true);
    expect(row(r, 'js')[0].met).toBe(false);
    expect(row(r, 'first')[0]).toMatchObject({ met: null, measured: 'not measured in this run' });
  });
  it('judges the scale target on the record that carries it', () => {
    const [s] = row(run(RECORDS), 'scale');
    expect(s.met).toBe(true);
    expect(s.measured).toContain('2.50×');
  });
});

describe('textTable', () => {
  const table = textTable(run(RECORDS, ['browser: no adapter']));
  it('says the figures come from software adapters and lists each adapter\'s fingerprint', () => {
    expect(table).toContain('SOFTWARE ADAPTERS ONLY');
    expect(table).toMatch(/a#0001: node · google · alpha/);
    expect(table).toMatch(/b#0002: chromium · google · beta/);
  });
  it('prints each record under its suite, its detail line ending with its own adapter id, and the failed check on its line', () => {
    const order = ['copy', 'matmul', 'guard', 'peer', 'hadamard', 'quant', 'forward', 'app', 'scale'];
    const expected = order.flatMap((suite) => RECORDS.filter((r) => r.suite === suite));
    const lines = table.split('\n');
    const body = lines.slice(lines.findIndex((l) => l.startsWith('-- ')), lines.findIndex((l) => l.startsWith('target: ')));
    const printed: { name: string; details: string }[] = [];
    for (const line of body) {
      if (/^ {61}\S/.test(line)) printed[printed.length - 1].details = line.trim();
      else if (/^ {2}\S/.test(line)) printed.push({ name: line.trim(), details: '' });
    }
    expect(printed).toHaveLength(expected.length);
    printed.forEach((p, i) => {
      const r = expected[i];
      expect(p.name.startsWith(r.name), `${p.name} is ${r.name}`).toBe(true);
      if (r.adapter) expect(p.details.endsWith(`[${r.adapter}]`), p.details).toBe(true);
      else expect(p.details).not.toMatch(/\[[ab]#000[12]\]/);
      expect(p.details.includes('✗ FAILED'), `${r.suite} ${r.name}`).toBe(r.check?.ok === false);
    });
  });
  it('prints the adapter id beside every figure measured on a GPU, and failed checks as FAILED', () => {
    for (const r of RECORDS.filter((x) => x.adapter)) {
      const at = table.indexOf(r.name);
      expect(at, r.name).toBeGreaterThan(-1);
    }
    const lines = table.split('\n');
    const detailLines = lines.filter((l) => /\[(a#0001|b#0002)\]/.test(l));
    expect(detailLines.length).toBe(RECORDS.filter((r) => r.adapter).length);
    expect(table).toContain('✗ FAILED max |diff| 1.0e+0 ≤ 1.0e-3');
  });
  it('ends with the targets, met or not', () => {
    expect(table).toContain('target: FWHT within 3× the copy kernel: n=64: 2.00×, n=4096: 2.50× (worst FWHT n=4096) → met');
    expect(table).toMatch(/target: quantize\/dequantize within 2× the copy kernel: .* → NOT MET/);
  });
});

describe('markdownReport', () => {
  const limits = { peer: 'L-peer', quant: 'L-quant', fwht: 'L-fwht', control: 'L-control', first: 'L-first', js: 'L-js', scale: 'L-scale' };
  const md = markdownReport(run(RECORDS, ['browser: no adapter\nstack line']), 'bench-results/bench-quick.json', 'abc1234', { intro: '# Benchmarks', method: '## How', limits, notes: '## Notes' });
  it('has the run, the adapter table with fingerprints, the targets with what limits them, and the hand-written sections', () => {
    expect(md.startsWith('# Benchmarks')).toBe(true);
    expect(md).toContain('at commit `abc1234`');
    expect(md).toContain('[bench-results/bench-quick.json](../bench-results/bench-quick.json)');
    expect(md).toMatch(/\| `a#0001` \| \*\*google · alpha\*\*: node/);
    for (const text of Object.values(limits)) expect(md).toContain(text);
    expect(md).toContain('## How');
    expect(md).toContain('## Notes');
  });
  it('puts the adapter id in the row of every figure and escapes pipes in cells', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && /`(a#0001|b#0002)` \|$/.test(l));
    expect(rows.length).toBe(RECORDS.filter((r) => r.adapter).length);
    expect(md).toContain('max \\|diff\\|');
  });
  it('lists what could not run, first line of each problem only', () => {
    expect(md).toContain('## What could not run\n\n- browser: no adapter\n');
    expect(md).not.toContain('stack line');
    expect(markdownReport(run(RECORDS), 'x.json', 'c', { intro: '', method: '', limits, notes: '' })).toContain('Nothing: every part ran.');
  });
});
