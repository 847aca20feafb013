// bench (node): `npm run bench` after scripts/bench/run.mjs has bundled it: the Node suites on Dawn, the browser suites and the peer in headless Chromium, the app's user-facing figures, the scale benchmark in a child process; writes bench-results/bench-<mode>.json and docs/BENCHMARKS.md and prints the table.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { destroyRuntime } from '../../src/gpu/runtime';
import { filesFolder } from '../../src/model/folder';
import { loadModel } from '../../src/model/load';
import { EMBEDDED_MODEL_NAME } from '../../src/spec/defaults';
import { openBenchGpu } from '../gpu';
import { guarded, runGpuSuites } from '../gpuSuites';
import { benchOptions, GPU_SUITES, type GpuSuite } from '../options';
import { INTRO, LIMITS, METHOD, NOTES } from '../prose';
import { markdownReport, textTable } from '../report';
import { forwardSuite, type ForwardSubject } from '../suites/forward';
import type { BenchRecord, BenchRun, EnvResults } from '../types';
import { appSuite } from './app';
import { runBrowser } from './browser';
import { DAWN_RUNTIME, dawnAdapter } from './dawn';
import { type ScaleReport, type StatsPass, streamModel, syntheticShape, writeSyntheticModel } from './scale';

const ROOT = process.cwd();
const RESULTS = join(ROOT, 'bench-results');
/** Bundles, the bench page and the app build: under node_modules/.cache, which git and eslint skip. */
const CACHE = join(ROOT, 'node_modules/.cache/lowbit-bench');
const SHARED = resolve(ROOT, '../shared/fixtures');
const PARTS = ['node', 'browser', 'app', 'scale'] as const;
type Part = (typeof PARTS)[number];

const USAGE = `npm run bench [-- --quick | --full] [--only node,browser,app,scale] [--suites ${GPU_SUITES.join(',')}]
  --quick  (default) a subset of shapes and small sizes: minutes on a software adapter
  --full   every shape of the issue, 16M-element quantization, a 1B-parameter file (long on a software adapter)
  --only   run some parts; docs/BENCHMARKS.md is written only by a run of all parts
  --suites run some GPU suites of the node and browser parts (the copy yardstick always runs)
  --report rewrite docs/BENCHMARKS.md from bench-results/bench-<mode>.json (after editing bench/prose.ts), measuring nothing`;

const log = (line: string) => console.log(line);

function files(dir: string): File[] {
  return readdirSync(dir).map((name) => new File([readFileSync(join(dir, name))], name));
}

/** The embedded model, and stories260K when ../shared/fixtures holds it. */
function forwardSubjects(problems: string[]): ForwardSubject[] {
  const subjects: ForwardSubject[] = [{
    label: EMBEDDED_MODEL_NAME,
    open: () => loadModel(filesFolder(EMBEDDED_MODEL_NAME, files(join(ROOT, 'public/models', EMBEDDED_MODEL_NAME)))),
    text: readFileSync(join(ROOT, 'public/models', EMBEDDED_MODEL_NAME, 'eval.txt'), 'utf8'),
  }];
  const gguf = join(SHARED, 'stories260K/stories260K.gguf'), text = join(SHARED, 'eval-text/tinystories_valid_first12stories.txt');
  if (existsSync(gguf) && existsSync(text)) {
    subjects.push({
      label: 'stories260K',
      open: () => loadModel(filesFolder('stories260K', [new File([readFileSync(gguf)], 'stories260K.gguf')])),
      text: readFileSync(text, 'utf8').replaceAll('<|endoftext|>', '\n'),
    });
  } else {
    problems.push(`forward: stories260K skipped: ${gguf} or ${text} is absent (a clone without ../shared).`);
  }
  return subjects;
}

async function nodePart(mode: 'quick' | 'full', suites: ReadonlySet<GpuSuite>): Promise<EnvResults> {
  const found = await dawnAdapter();
  if (!found.adapter) return { adapters: {}, records: [], problems: [`node: ${found.reason}`] };
  const g = await openBenchGpu(found.adapter, DAWN_RUNTIME);
  try {
    return await runGpuSuites(g, benchOptions(mode, suites), log, async (ctx, out) => {
      if (suites.has('forward')) await guarded('forward', g, out, () => forwardSuite(ctx, forwardSubjects(out.problems)));
    });
  } finally {
    destroyRuntime(g.rt);
  }
}

/** Runs the scale benchmark in a child process (its own peak memory) and turns its report into records. */
async function scalePart(mode: 'quick' | 'full', nodeAdapter: string | null): Promise<EnvResults> {
  const params = benchOptions(mode).scaleParams;
  const file = join(tmpdir(), `lowbit-bench-synthetic-${params >= 5e8 ? '1b' : '50m'}.safetensors`);
  const child = spawn(process.execPath, ['--max-old-space-size=4096', process.argv[1], '--scale-child', file, String(params)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d; });
  const code = await new Promise<number>((res) => child.on('close', (c) => res(c ?? 1)));
  const line = stdout.split('\n').find((l) => l.startsWith('SCALE_REPORT '));
  if (code !== 0 || !line) return { adapters: {}, records: [], problems: [`scale: the child process failed (exit ${code}): ${stdout.slice(-2000)}`] };
  const r = JSON.parse(line.slice('SCALE_REPORT '.length)) as ScaleReport;
  const gb = (r.fileBytes / 1e9).toFixed(2);
  const shape = `${(r.params / 1e6).toFixed(0)}M-parameter fp16 file (${gb} GB, ${r.tensors} tensors)`;
  log(`scale: ${shape}: read ${r.read.seconds.toFixed(2)} s, statistics ${r.stats.seconds.toFixed(2)} s on ${r.stats.backend} (${(r.stats.seconds / r.read.seconds).toFixed(1)}×), ${r.cpuStats.seconds.toFixed(2)} s on the CPU (${(r.cpuStats.seconds / r.read.seconds).toFixed(1)}×), peak RSS ${(r.stats.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  const pass = (name: string, p: ScaleReport['read'], adapter: string | null = null, extra: BenchRecord['figures'] = {}): BenchRecord => ({
    suite: 'scale', name: `${name}, ${shape}`, adapter,
    figures: { seconds: p.seconds, bytesPerSecond: r.fileBytes / p.seconds, vsRead: p.seconds / r.read.seconds, peakRssBytes: p.peakRssBytes, ...extra },
  });
  const statsFigures = (s: StatsPass, isTarget: boolean) => ({
    backend: s.backend, meanSqnrDb: s.meanSqnrDb, worstSqnrDb: s.worstSqnrDb, rssGrowthBytes: s.peakRssBytes - r.baselineRssBytes,
    ...(isTarget ? { target: 3, met: s.seconds / r.read.seconds <= 3 } : {}),
  });
  // Holding the model would take its fp16 bytes at least; the stream holds one tensor (fp16, f32, x̂ and staging copies).
  const memoryCheck = (s: StatsPass) => {
    const growth = s.peakRssBytes - r.baselineRssBytes;
    return { against: `peak RSS growth over the baseline vs a quarter of the file (the largest tensor is ${(r.largestTensor / 1e6).toFixed(1)}M elements, ${(r.largestTensor * 4 / 2 ** 20).toFixed(0)} MiB as f32)`, maxAbsDiff: growth, tolerance: r.fileBytes / 4, ok: growth < r.fileBytes / 4 };
  };
  return {
    adapters: {}, problems: [],
    records: [
      { ...pass('write the synthetic file', { seconds: r.writeSeconds, peakRssBytes: 0 }), figures: { seconds: r.writeSeconds, bytes: r.fileBytes } },
      pass('read every tensor (model loader ByteSource, page cache warm)', r.read),
      pass('read + decode fp16 → f32', r.decode),
      {
        ...pass(`read + decode + INT4 sym block 32 statistics per tensor, app backend (${r.stats.backend})`, r.stats, r.stats.backend === 'webgpu' ? nodeAdapter : null, statsFigures(r.stats, true)),
        check: memoryCheck(r.stats),
      },
      {
        ...pass('read + decode + the same statistics, CPU reference backend', r.cpuStats, null, statsFigures(r.cpuStats, false)),
        check: memoryCheck(r.cpuStats),
      },
    ],
  };
}

/** The child side of scalePart: write, stream, print one SCALE_REPORT line, delete the file. */
async function scaleChild(file: string, params: number): Promise<void> {
  const t0 = performance.now();
  writeSyntheticModel(file, syntheticShape(params));
  const writeSeconds = (performance.now() - t0) / 1e3;
  try {
    const found = await dawnAdapter();
    const gpu = found.adapter ? { requestAdapter: async () => found.adapter } as unknown as GPU : null;
    const report: ScaleReport = { ...(await streamModel(file, gpu)), writeSeconds };
    console.log(`SCALE_REPORT ${JSON.stringify(report)}`);
  } finally {
    rmSync(file, { force: true });
  }
}

function machine(): BenchRun['machine'] {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` };
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const PROSE = { intro: INTRO, method: METHOD, limits: LIMITS, notes: NOTES };

/** docs/BENCHMARKS.md again from a stored complete run (its own commit and figures), with today's prose. */
function rewriteReport(mode: 'quick' | 'full'): number {
  const jsonName = `bench-${mode}.json`;
  const file = join(RESULTS, jsonName);
  if (!existsSync(file)) { console.error(`${file} does not exist: run \`npm run bench${mode === 'full' ? ' -- --full' : ''}\` first.`); return 2; }
  const { commit: at, ...run } = JSON.parse(readFileSync(file, 'utf8')) as BenchRun & { commit: string };
  writeFileSync(join(ROOT, 'docs/BENCHMARKS.md'), markdownReport(run, `bench-results/${jsonName}`, at, PROSE));
  console.log(`wrote docs/BENCHMARKS.md from bench-results/${jsonName} (commit ${at})`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--scale-child') {
    await scaleChild(argv[1], Number(argv[2]));
    return 0;
  }
  if (argv.includes('--help')) { console.log(USAGE); return 0; }
  if (argv.includes('--report')) return rewriteReport(argv.includes('--full') ? 'full' : 'quick');
  const unknown = argv.filter((a, i) => !['--quick', '--full', '--only', '--suites', '--report'].includes(a) && !['--only', '--suites'].includes(argv[i - 1]));
  if (unknown.length) { console.error(`unknown arguments: ${unknown.join(' ')}\n${USAGE}`); return 2; }
  const mode = argv.includes('--full') ? 'full' : 'quick';
  const only = argv.includes('--only') ? (argv[argv.indexOf('--only') + 1] ?? '').split(',') as Part[] : [...PARTS];
  if (only.some((p) => !PARTS.includes(p))) { console.error(`--only takes ${PARTS.join(',')}\n${USAGE}`); return 2; }
  const suites = new Set((argv.includes('--suites') ? argv[argv.indexOf('--suites') + 1] ?? '' : GPU_SUITES.join(',')).split(',') as GpuSuite[]);
  if ([...suites].some((s) => !GPU_SUITES.includes(s))) { console.error(`--suites takes ${GPU_SUITES.join(',')}\n${USAGE}`); return 2; }
  mkdirSync(CACHE, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  const started = new Date();
  const t0 = performance.now();
  const parts: EnvResults[] = [];
  const run = async (part: Part, work: () => Promise<EnvResults>) => {
    if (!only.includes(part)) return;
    log(`== ${part} ==`);
    try {
      parts.push(await work());
    } catch (e) {
      parts.push({ adapters: {}, records: [], problems: [`${part}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`] });
    }
  };
  await run('node', () => nodePart(mode, suites));
  const nodeAdapter = Object.keys(parts[0]?.adapters ?? {})[0] ?? null;
  await run('browser', () => runBrowser(ROOT, CACHE, mode, [...suites], log));
  const browserAdapter = parts.flatMap((p) => Object.keys(p.adapters)).find((id) => id !== nodeAdapter) ?? null;
  await run('app', async () => ({ adapters: {}, problems: [], records: await appSuite({ root: ROOT, cacheDir: CACHE, repeats: mode === 'full' ? 5 : 3, adapter: browserAdapter, log }) }));
  await run('scale', () => scalePart(mode, nodeAdapter));
  const result: BenchRun = {
    mode, startedAt: started.toISOString(), durationS: (performance.now() - t0) / 1e3, machine: machine(),
    adapters: Object.assign({}, ...parts.map((p) => p.adapters)),
    records: parts.flatMap((p) => p.records),
    problems: parts.flatMap((p) => p.problems),
  };
  const complete = only.length === PARTS.length && suites.size === GPU_SUITES.length;
  const jsonName = complete ? `bench-${mode}.json` : `bench-${mode}-partial.json`;
  writeFileSync(join(RESULTS, jsonName), `${JSON.stringify({ commit: commit(), ...result }, null, 1)}\n`);
  console.log(`\n${textTable(result)}`);
  if (complete) {
    writeFileSync(join(ROOT, 'docs/BENCHMARKS.md'), markdownReport(result, `bench-results/${jsonName}`, commit(), PROSE));
    console.log(`wrote bench-results/${jsonName} and docs/BENCHMARKS.md (${result.durationS.toFixed(0)} s)`);
  } else {
    console.log(`wrote bench-results/${jsonName} (docs/BENCHMARKS.md is written by a run of all parts)`);
  }
  for (const p of result.problems) console.log(`problem: ${p.split('\n')[0]}`);
  return result.records.some((r) => r.check && !r.check.ok) ? 1 : 0;
}

// Dawn's handles would keep Node alive after the work is done.
process.exit(await main(process.argv.slice(2)));
