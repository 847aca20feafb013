// bench: the GPU suites every environment runs on its adapter (yardsticks, matmul and guard, Hadamard, quantization), each failure kept as a problem instead of ending the run.
import type { BenchGpu } from './gpu';
import type { SuiteContext, Yardstick } from './context';
import type { BenchOptions } from './options';
import { copySuite } from './suites/copy';
import { hadamardSuite } from './suites/hadamard';
import { matmulSuite } from './suites/matmul';
import { quantSuite } from './suites/quant';
import type { BenchRecord, EnvResults } from './types';

/** Runs `suite`, appending its records; a throw becomes a problem naming the suite and the adapter. */
export async function guarded(label: string, g: BenchGpu, out: { records: BenchRecord[]; problems: string[] }, suite: () => Promise<BenchRecord[]>): Promise<void> {
  try {
    out.records.push(...(await suite()));
  } catch (e) {
    out.problems.push(`${label} on ${g.id}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  }
}

/** Copy, matmul (+ guard), Hadamard and quantization suites on `g`; `more` runs after them with the same context. */
export async function runGpuSuites(
  g: BenchGpu, options: BenchOptions, log: (line: string) => void, more: (ctx: SuiteContext, out: { records: BenchRecord[]; problems: string[] }) => Promise<void> = async () => {},
): Promise<EnvResults> {
  const ctx: SuiteContext = { g, options, log: (line) => log(`[${g.id}] ${line}`) };
  const out = { records: [] as BenchRecord[], problems: [] as string[] };
  let yardstick: Yardstick | null = null;
  await guarded('copy', g, out, async () => {
    const r = await copySuite(ctx);
    yardstick = r.yardstick;
    return r.records;
  });
  const measured = yardstick as Yardstick | null;
  const wanted = options.suites;
  if (wanted.has('matmul')) {
    if (measured) await guarded('matmul', g, out, async () => (await matmulSuite(ctx, measured)).records);
    else out.problems.push(`matmul on ${g.id}: not run, the copy yardstick failed`);
  }
  if (wanted.has('hadamard')) await guarded('hadamard', g, out, () => hadamardSuite(ctx));
  if (wanted.has('quant')) await guarded('quant', g, out, () => quantSuite(ctx));
  await more(ctx, out);
  return { adapters: { [g.id]: g.fingerprint }, records: out.records, problems: out.problems };
}
