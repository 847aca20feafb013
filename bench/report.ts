// bench: the printed table and docs/BENCHMARKS.md from a run's records (pure: text in, text out), with the issue's targets judged met or not from the figures.
import { adapterLabel, formatFingerprint, formatMs, formatRate, formatRatio, sig } from './stats';
import type { BenchRecord, BenchRun, Suite } from './types';

const num = (r: BenchRecord, key: string): number | null => (typeof r.figures[key] === 'number' ? r.figures[key] as number : null);
const pct = (x: number | null) => (x === null ? '–' : `${sig(100 * x)}%`);
const kb = (bytes: number | null) => (bytes === null ? '–' : `${sig(bytes / 1024)} KB`);
const mib = (bytes: number | null) => (bytes === null ? '–' : `${sig(bytes / 2 ** 20)} MiB`);

/** The figure a record is about, in words and units (its check and timing are printed beside it). */
export function headline(r: BenchRecord): string {
  if (r.note && Object.keys(r.figures).length === 0) return r.note;
  const f = (k: string) => num(r, k);
  switch (r.suite) {
    case 'copy': return f('microseconds') !== null ? `${sig(f('microseconds') ?? NaN)} µs per dispatch` : formatRate(f('bandwidth'));
    case 'matmul':
      if (f('speedup') !== null) return `q4 ${formatRatio(f('speedup'))} faster than fp32`;
      return `${pct(f('fractionOfCopy'))} of copy bandwidth (${formatRate(f('bandwidth'))}, ${sig(f('gflops') ?? NaN)} GFLOP/s)`;
    case 'guard': return `reference ${formatMs(r.timing?.ms ?? null)}; ours ${formatRatio(f('speedupVsReference'))} its speed: ${r.figures.verdict}`;
    case 'peer': return `ORT ${formatMs(f('peerMs'))}, ours ${formatMs(f('oursMs'))}: ${formatRatio(f('speedup'))} (target ${PEER_TARGET}×: ${r.figures.met ? 'met' : 'not met'})`;
    case 'hadamard':
      if (f('denseVsFwhtPerElement') !== null) return `${formatRatio(f('denseVsFwhtPerElement'))} the FWHT's time per element`;
      return f('timeVsCopy') !== null ? `${formatRatio(f('timeVsCopy'))} the copy kernel's time` : formatMs(r.timing?.ms ?? null);
    case 'quant': return f('timeVsCopy') !== null ? `${formatRatio(f('timeVsCopy'))} the copy kernel's time` : r.note ?? formatMs(r.timing?.ms ?? null);
    case 'forward':
      if (f('speedup') !== null) return `INT4 ${formatRatio(f('speedup'))} the fp32 tokens/s`;
      return `${sig(f('tokensPerSecond') ?? NaN)} scored tokens/s (${sig(f('positionsPerSecond') ?? NaN)} positions/s); empty dispatch chain = ${pct(f('dispatchOverheadShare'))} of the pass (${f('dispatches')} dispatches)`;
    case 'app':
      if (f('gzipBytes') !== null) return `${kb(f('gzipBytes'))} gzip (${kb(f('rawBytes'))} raw)`;
      return formatMs(f('ms'));
    case 'scale':
      if (f('vsRead') === null) return `${sig(f('seconds') ?? NaN)} s`;
      return `${sig(f('seconds') ?? NaN)} s (${formatRate(f('bytesPerSecond'))}), ${formatRatio(f('vsRead'))} the read time, peak RSS ${mib(f('peakRssBytes'))}`;
  }
}

/** The timing in a few words: "0.41 ms (timestamp-query, 24/submit, median of 5)". */
export function timingText(r: BenchRecord): string {
  const t = r.timing;
  if (!t) return '';
  return `${formatMs(t.ms)} (${t.method}${t.opsPerSubmit > 1 ? `, ${t.opsPerSubmit}/submit` : ''}, median of ${t.repeats})`;
}

/** The check in a few words: "max |diff| 0 ≤ 0 ✓". */
export function checkText(r: BenchRecord): string {
  const c = r.check;
  if (!c) return r.note && Object.keys(r.figures).length > 0 ? `no check: ${r.note}` : '';
  const e = (x: number) => (x === 0 ? '0' : Number.isFinite(x) ? x.toExponential(1) : String(x));
  return `${c.ok ? '✓' : '✗ FAILED'} max |diff| ${e(c.maxAbsDiff)} ≤ ${e(c.tolerance)} vs ${c.against}`;
}

const SUITES: readonly [Suite, string][] = [
  ['copy', 'Yardsticks: copy, read, empty dispatch'],
  ['matmul', 'Packed matvec / matmul (fraction of copy bandwidth, q4 vs fp32)'],
  ['guard', 'Emulator guard: each matmul case against the fixed GPU-shaped reference kernel'],
  ['peer', 'Peer: ONNX Runtime Web MatMulNBits (WebGPU EP), same device, same packed bytes'],
  ['hadamard', 'Hadamard rotation: FWHT vs copy and vs a dense Hadamard matmul'],
  ['quant', 'Quantize / dequantize per format family vs copy'],
  ['forward', 'Forward pass: perplexity tokens/s and dispatch overhead'],
  ['app', 'User-facing: first view, control change to charts, initial JavaScript'],
  ['scale', 'Scale: streaming a synthetic fp16 safetensors model through per-tensor statistics'],
];

/** The run as a plain-text table for the terminal, grouped by suite, adapter id beside every figure. */
export function textTable(run: BenchRun): string {
  const lines = [`lowbit bench (${run.mode}), ${run.startedAt}: SOFTWARE ADAPTERS ONLY, these figures say nothing about real GPUs.`];
  for (const [id, f] of Object.entries(run.adapters)) lines.push(`  ${id}: ${formatFingerprint(f)}`);
  for (const [suite, title] of SUITES) {
    const rs = run.records.filter((r) => r.suite === suite);
    if (!rs.length) continue;
    lines.push('', `-- ${title}`);
    for (const r of rs) {
      lines.push(`  ${r.name.padEnd(58)} ${headline(r)}`);
      const details = [timingText(r), checkText(r), r.adapter ? `[${r.adapter}]` : ''].filter(Boolean).join('  ');
      if (details) lines.push(`  ${''.padEnd(58)} ${details}`);
    }
  }
  lines.push('', ...targetRows(run).map((t) => `target: ${t.target}: ${t.measured} → ${t.met === null ? 'not measured' : t.met ? 'met' : 'NOT MET'}`));
  return lines.join('\n');
}

/** The speedup over ORT Web's MatMulNBits the issue asks for. */
export const PEER_TARGET = 1.3;

/** One row of the targets table. */
export interface TargetRow {
  readonly target: string;
  readonly measured: string;
  readonly adapter: string;
  /** null: not measured in this run. */
  readonly met: boolean | null;
  readonly key: 'peer' | 'quant' | 'fwht' | 'control' | 'first' | 'js' | 'scale';
}

const adaptersOf = (rs: readonly BenchRecord[]) => [...new Set(rs.map((r) => r.adapter).filter((a): a is string => a !== null))];

/** The issue's targets judged from the run's figures (per adapter where a target is about a kernel). */
export function targetRows(run: BenchRun): TargetRow[] {
  const rows: TargetRow[] = [];
  const of = (suite: Suite, pick: (r: BenchRecord) => boolean) => run.records.filter((r) => r.suite === suite && pick(r));

  const peer = of('peer', (r) => r.figures.bits === 'q4' && num(r, 'speedup') !== null);
  const flagged = new Set(of('guard', (r) => r.figures.flagged === true).map((r) => `${r.adapter} ${r.name}`));
  if (!peer.length) {
    const why = of('peer', () => true).find((r) => r.note)?.note ?? run.problems.find((p) => p.includes('peer')) ?? 'the browser half did not run';
    rows.push({ key: 'peer', target: `4-bit matvec/matmul ≥ ${PEER_TARGET}× ORT Web MatMulNBits on every shape, guard not failed`, measured: `not measured: ${why.split('\n')[0]}`, adapter: '–', met: null });
  }
  for (const a of adaptersOf(peer)) {
    const rs = peer.filter((r) => r.adapter === a);
    const worst = rs.reduce((w, r) => ((num(r, 'speedup') ?? Infinity) < (num(w, 'speedup') ?? Infinity) ? r : w));
    const best = rs.reduce((w, r) => ((num(r, 'speedup') ?? -Infinity) > (num(w, 'speedup') ?? -Infinity) ? r : w));
    const guardFail = rs.some((r) => flagged.has(`${a} ${r.name}`));
    rows.push({
      key: 'peer', target: `4-bit matvec/matmul ≥ ${PEER_TARGET}× ORT Web MatMulNBits on every shape, guard not failed`, adapter: a,
      measured: `${formatRatio(num(worst, 'speedup'))} at worst (${worst.name}), ${formatRatio(num(best, 'speedup'))} at best (${best.name}), ${rs.length} shapes${guardFail ? '; a q4 case is flagged by the guard' : ''}`,
      met: rs.every((r) => (num(r, 'speedup') ?? 0) >= PEER_TARGET) && !guardFail,
    });
  }

  const quant = of('quant', (r) => /: (quantize|dequantize)/.test(r.name) && num(r, 'timeVsCopy') !== null);
  for (const a of adaptersOf(quant)) {
    const rs = quant.filter((r) => r.adapter === a);
    const worst = rs.reduce((w, r) => ((num(r, 'timeVsCopy') ?? 0) > (num(w, 'timeVsCopy') ?? 0) ? r : w));
    const within = rs.filter((r) => (num(r, 'timeVsCopy') ?? Infinity) <= 2).length;
    rows.push({
      key: 'quant', target: 'quantize/dequantize within 2× the copy kernel', adapter: a, met: within === rs.length,
      measured: `${within} of ${rs.length} within 2×; worst ${formatRatio(num(worst, 'timeVsCopy'))} (${worst.name})`,
    });
  }

  const fwht = of('hadamard', (r) => r.name.startsWith('FWHT') && num(r, 'timeVsCopy') !== null);
  for (const a of adaptersOf(fwht)) {
    const rs = fwht.filter((r) => r.adapter === a);
    const worst = rs.reduce((w, r) => ((num(r, 'timeVsCopy') ?? 0) > (num(w, 'timeVsCopy') ?? 0) ? r : w));
    rows.push({
      key: 'fwht', target: 'FWHT within 3× the copy kernel', adapter: a, met: rs.every((r) => (num(r, 'timeVsCopy') ?? Infinity) <= 3),
      measured: `${rs.map((r) => `n=${r.figures.n}: ${formatRatio(num(r, 'timeVsCopy'))}`).join(', ')} (worst ${worst.name})`,
    });
  }

  const app = (needle: string, key: TargetRow['key'], target: string, show: (r: BenchRecord) => string) => {
    const r = of('app', (x) => x.name.includes(needle))[0];
    rows.push(r
      ? { key, target, measured: show(r), adapter: r.adapter ?? '–', met: r.figures.met === true }
      : { key, target, measured: 'not measured in this run', adapter: '–', met: null });
  };
  app('control change', 'control', 'control change to updated charts < 100 ms (1M elements)', (r) => formatMs(num(r, 'ms')));
  app('first rendered view', 'first', 'first view < 1.5 s', (r) => formatMs(num(r, 'ms')));
  app('initial JavaScript', 'js', 'initial JavaScript < 350 KB gzip', (r) => `${kb(num(r, 'gzipBytes'))} gzip`);

  const scale = of('scale', (r) => r.figures.target !== undefined)[0];
  rows.push(scale
    ? { key: 'scale', target: 'whole-model streaming quantization within 3× the time to read the file', measured: `${formatRatio(num(scale, 'vsRead'))} (${scale.name})`, adapter: scale.adapter ?? 'CPU', met: scale.figures.met === true }
    : { key: 'scale', target: 'whole-model streaming quantization within 3× the time to read the file', measured: 'not measured in this run', adapter: '–', met: null });
  return rows;
}

/** Why a target is where it is: written from these runs (docs/BENCHMARKS.md's last column). */
export type LimitsText = Readonly<Record<TargetRow['key'], string>>;

const escapeCell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`)].join('\n');
}

/**
 * docs/BENCHMARKS.md for `run`: what the figures are (software adapters), how they are taken, the
 * adapters' fingerprints, the targets (met or not, and what limits them: `limits`), every suite's
 * records with timing, check and adapter id, and what could not run. `prose` holds the hand-written
 * sections (method, guard rule, peer notes) so this stays a formatter.
 */
export function markdownReport(run: BenchRun, jsonPath: string, commit: string, prose: { readonly intro: string; readonly method: string; readonly limits: LimitsText; readonly notes: string }): string {
  const out: string[] = [prose.intro, '', `## This run`, '',
    `\`npm run bench${run.mode === 'full' ? ' -- --full' : ''}\` (${run.mode}) at commit \`${commit}\`, ${run.startedAt}, ${sig(run.durationS / 60)} min; `
    + `${run.machine.cpus} × ${run.machine.cpuModel}, ${run.machine.memoryGiB} GiB, ${run.machine.platform}, Node ${run.machine.node}. Raw results: [${jsonPath}](../${jsonPath}).`,
    '', '### Adapters (the id in brackets beside every figure)', '',
    table(['id', 'fingerprint'], Object.entries(run.adapters).map(([id, f]) => [`\`${id}\``, `**${adapterLabel(f)}**: ${formatFingerprint(f)}`])),
    '', '## Targets', '',
    table(['target', 'measured', 'adapter', 'met', 'what limits it'], targetRows(run).map((t) => [
      t.target, t.measured, t.adapter === '–' ? '–' : `\`${t.adapter}\``, t.met === null ? 'not measured' : t.met ? '**met**' : '**not met**', prose.limits[t.key],
    ])),
    '', prose.method, '',
  ];
  for (const [suite, title] of SUITES) {
    const rs = run.records.filter((r) => r.suite === suite);
    if (!rs.length) continue;
    out.push(`## ${title}`, '', table(['what', 'figure', 'time', 'check', 'adapter'], rs.map((r) => [
      r.name, headline(r), timingText(r), checkText(r), r.adapter ? `\`${r.adapter}\`` : '–',
    ])), '');
    const notes = rs.filter((r) => r.note && Object.keys(r.figures).length > 0 && r.check).map((r) => `- ${r.name}: ${r.note}`);
    if (notes.length) out.push(...notes, '');
  }
  out.push(prose.notes, '', '## What could not run', '', ...(run.problems.length ? run.problems.map((p) => `- ${escapeCell(p.split('\n')[0])}`) : ['Nothing: every part ran.']), '');
  return out.join('\n');
}
