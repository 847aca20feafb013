// scripts/test.mjs: the one `npm test` entry (browser check, lint, typecheck, unit, gpu, build, e2e); ends with `N passed, N failed`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPORTS = join(ROOT, '.test-reports');
const STEPS = ['lint', 'typecheck', 'unit', 'gpu', 'build', 'e2e'];
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

/** The steps named by `--only a,b` (or `--only=a,b`); all steps when absent. */
function selectedSteps(argv) {
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (i < 0) return STEPS;
  const list = (argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1] ?? '').split(',').filter(Boolean);
  const unknown = list.filter((s) => !STEPS.includes(s));
  if (!list.length || unknown.length) {
    console.error(`usage: node scripts/test.mjs [--only ${STEPS.join(',')}]${unknown.length ? ` (unknown: ${unknown})` : ''}`);
    process.exit(2);
  }
  return STEPS.filter((s) => list.includes(s));
}

/** Runs a command with streaming output; resolves to its exit code and (when `capture`) its stdout. */
function run(cmd, args, { env = {}, capture = false } = {}) {
  console.log(`\n=== ${[cmd.replace(`${ROOT}node_modules/.bin/`, ''), ...args].join(' ')} ===`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['inherit', capture ? 'pipe' : 'inherit', 'inherit'] });
    let stdout = '';
    child.stdout?.on('data', (chunk) => { stdout += chunk; process.stdout.write(chunk); });
    child.on('error', (err) => console.error(err.message)); // 'close' still follows with a null code
    child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
  });
}

/** A check is one pass/fail unit: every command must exit 0. */
async function check(name, commands) {
  let ok = true;
  for (const [cmd, ...args] of commands) ok = (await run(cmd, args)).code === 0 && ok;
  return { name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 };
}

/** Runs a test runner that writes a JSON report to `file`; a crash or a missing report counts as one failure. */
async function suite(name, file, cmd, args, env, count) {
  rmSync(file, { force: true });
  const { code } = await run(cmd, args, { env });
  const result = existsSync(file) ? { name, ...count(JSON.parse(readFileSync(file, 'utf8'))) } : { name, passed: 0, failed: 0, skipped: 0 };
  if (code !== 0 && result.failed === 0) result.failed = 1;
  return result;
}

/** Vitest JSON -> counts. Tests that never ran (status "pending": the worker died) and files that failed outside any test (import or hook errors) count as failures. */
function countVitest(report) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const file of report.testResults) {
    for (const { status } of file.assertionResults) counts[{ passed: 'passed', failed: 'failed', pending: 'failed' }[status] ?? 'skipped']++;
    if (file.status === 'failed' && !file.assertionResults.some((a) => a.status === 'failed')) counts.failed++;
  }
  return counts;
}

function vitest(project, env = {}) {
  const file = join(REPORTS, `${project}.json`);
  const args = ['run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${file}`];
  return suite(project, file, bin('vitest'), args, env, countVitest);
}

function playwright(chromePath) {
  const file = join(REPORTS, 'e2e.json');
  const env = { PLAYWRIGHT_JSON_OUTPUT_FILE: file, ...(chromePath && { CHROME_PATH: chromePath }) };
  return suite('e2e', file, bin('playwright'), ['test', '--reporter=list,json'], env, ({ stats }) => ({
    passed: stats.expected + stats.flaky, failed: stats.unexpected, skipped: stats.skipped,
  }));
}

/** Environment for Dawn in Node: its OpenGL ES backend on Mesa llvmpipe without a display. */
function gpuEnv() {
  return { EGL_PLATFORM: process.env.EGL_PLATFORM || 'surfaceless' };
}

/** A step not run because one it depends on failed: one failure, said out loud. */
function skip(name, why) {
  console.log(`\n=== ${name}: not run, ${why} ===`);
  return { name, passed: 0, failed: 1, skipped: 0 };
}

function summarize(results) {
  const total = { name: 'total', passed: 0, failed: 0, skipped: 0 };
  for (const r of results) for (const k of ['passed', 'failed', 'skipped']) total[k] += r[k];
  console.log('\n=== summary ===');
  console.log(`${'suite'.padEnd(10)}${'passed'.padStart(8)}${'failed'.padStart(8)}${'skipped'.padStart(9)}`);
  for (const r of [...results, total]) console.log(`${r.name.padEnd(10)}${String(r.passed).padStart(8)}${String(r.failed).padStart(8)}${String(r.skipped).padStart(9)}`);
  console.log(`${total.passed} passed, ${total.failed} failed${total.skipped > 0 ? `, ${total.skipped} skipped` : ''}`);
  return total;
}

async function main() {
  const steps = selectedSteps(process.argv.slice(2));
  mkdirSync(REPORTS, { recursive: true });
  const results = [];
  let chromePath;
  if (steps.includes('gpu') || steps.includes('e2e')) {
    const { code, stdout } = await run('bash', ['scripts/ensure-browser.sh'], { capture: true });
    chromePath = stdout.match(/^CHROME_PATH=(.+)$/m)?.[1];
    results.push({ name: 'browser', passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 });
  }
  const tasks = {
    lint: () => check('lint', [[bin('eslint'), '.']]),
    typecheck: () => check('typecheck', [[bin('tsc'), '-p', 'tsconfig.json'], [bin('tsc'), '-p', 'tsconfig.core.json'], [bin('tsc'), '-p', 'bench/tsconfig.json']]),
    unit: () => vitest('unit'),
    gpu: () => vitest('gpu', gpuEnv()),
    build: () => check('build', [[bin('vite'), 'build'], [process.execPath, 'scripts/build-cli.mjs']]),
    e2e: () => (results.find((r) => r.name === 'build')?.failed ? skip('e2e', 'the build failed') : playwright(chromePath)),
  };
  for (const step of steps) results.push(await tasks[step]());
  process.exitCode = summarize(results).failed > 0 ? 1 : 0;
}

await main();
