// bench: packed matvec/matmul (2, 3, 4, 8 bit and fp32) as a fraction of the copy bandwidth, q4 vs fp32, and the emulator guard against the fixed reference kernels.
import { destroyPacked, encodeMatmulPacked, uploadPacked } from '../../src/gpu/kernels/matmulPacked';
import { F32_MIN_NORMAL } from '../../src/lib/f32';
import { absProducts, F32_UNIT_ROUNDOFF, gammaF32 } from '../../src/quant/packed/matmul';
import { dequantizeCode, packedCode, packedGroupOf, type PackedWeights } from '../../src/quant/packed/weights';
import { createRng } from '../../src/lib/rng';
import { f32 } from '../../src/lib/f32';
import { type SuiteContext, readFloats, runOnce, storageBuffer, type Yardstick } from '../context';
import { bitsLabel, normalFloats, syntheticPacked } from '../data';
import { beatsCopy, guardVerdict, type Launch } from '../guard';
import { type EncodeOp, timeOp } from '../gpu';
import { referenceLaunch, referenceMatmulOp } from '../kernels';
import type { MatmulCase } from '../options';
import { type Dispatch, recordingEncoder } from '../probe';
import { ratio } from '../stats';
import type { BenchRecord, Check } from '../types';

/** Outputs of y checked against the CPU reference per case (a full CPU product of 4096 × 4096 × 128 would take minutes). */
const SAMPLED_OUTPUTS = 48;

/** Threads per workgroup of each pipeline the guard meets (the @workgroup_size of its WGSL entry point). */
const WORKGROUP_SIZE: Readonly<Record<string, number>> = {
  'matmul_packed.matvec': 256, 'matmul_packed.matvec_batch': 256, 'matmul_packed.matmul': 256, 'bench_matmul_ref.matvec_ref': 64, 'bench_matmul_ref.matmul_ref': 256,
};

/** Bytes one call must move at least: the packed weight (codes, scales, zero points), x and y. */
export function matmulBytes(p: PackedWeights, m: number): number {
  return 4 * (p.codes.length + p.scales.length + p.shifts.length + p.table.length) + 4 * m * (p.k + p.n);
}

/** "q4 768×3072 m=8": width, in × out, rows of x. */
export const caseName = (c: MatmulCase): string => `${bitsLabel(c.bits)} ${c.k}×${c.n} m=${c.m}`;

/** What `op` launches, from one encoding into a recording encoder (never submitted). */
function launchOf(device: GPUDevice, op: EncodeOp): { launch: Launch; release: GPUBuffer[] } {
  const log: Dispatch[] = [];
  const release = op(recordingEncoder(device.createCommandEncoder({ label: 'bench.probe' }), log));
  let threads = 0, workgroupSize = 0;
  for (const d of log) {
    const size = WORKGROUP_SIZE[d.pipeline];
    // An unknown entry point would count NaN threads, which no guard rule flags.
    if (size === undefined) throw new Error(`bench: the guard does not know the workgroup size of ${d.pipeline}; add it to WORKGROUP_SIZE.`);
    threads += d.workgroups[0] * d.workgroups[1] * d.workgroups[2] * size;
    workgroupSize = Math.max(workgroupSize, size);
  }
  return { launch: { threads, workgroupSize }, release };
}

/**
 * y at sampled outputs by matmulPackedReference's rule (c ascending, one f32 rounding per product
 * and per addition), with the bound both kernels must meet there (tests/gpu/matmul-packed.test.ts:
 * (γ_k + γ_(k+6) + u)·Σ|x·ŵ| + k·2^-126; the reference kernels' sums have fewer roundings).
 */
export function sampledReference(p: PackedWeights, x: Float32Array, m: number, seed: number) {
  const rand = createRng(seed);
  return Array.from({ length: SAMPLED_OUTPUTS }, () => {
    const i = Math.floor(rand() * m), r = Math.floor(rand() * p.n);
    const row = new Float32Array(p.k);
    for (let c = 0; c < p.k; c++) row[c] = dequantizeCode(p, packedCode(p, r, c), packedGroupOf(p, r, c));
    let acc = 0;
    for (let c = 0; c < p.k; c++) acc = f32(acc + f32(x[i * p.k + c] * row[c]));
    const s = absProducts(x.subarray(i * p.k, (i + 1) * p.k), 1, row, 1, p.k)[0];
    return { at: i * p.n + r, value: acc, tolerance: (gammaF32(p.k) + gammaF32(p.k + 6) + F32_UNIT_ROUNDOFF) * s + p.k * F32_MIN_NORMAL };
  });
}

export function checkSampled(y: Float32Array, samples: ReturnType<typeof sampledReference>): Check {
  let worst = 0, tolerance = 0, ok = true;
  for (const s of samples) {
    const d = Math.abs(y[s.at] - s.value);
    if (!(d <= s.tolerance)) ok = false;
    if (!(d <= worst)) { worst = d; tolerance = s.tolerance; }
  }
  return { against: `CPU reference at ${samples.length} sampled outputs (bound of tests/gpu/matmul-packed.test.ts)`, maxAbsDiff: worst, tolerance, ok };
}

/** Time of every case by name, for the q4-vs-fp32 ratios and the peer comparison. */
export type MatmulTimes = Map<string, number>;

export async function matmulSuite(ctx: SuiteContext, yardstick: Yardstick): Promise<{ records: BenchRecord[]; times: MatmulTimes }> {
  const { g, options } = ctx;
  const { rt } = g;
  const limit = rt.device.limits.maxStorageBufferBindingSize;
  const records: BenchRecord[] = [];
  const times: MatmulTimes = new Map();
  for (const [index, c] of options.matmul.entries()) {
    const name = caseName(c);
    const weightBytes = c.n * Math.ceil(c.k / 32) * 4 * (c.bits === 'f32' ? 32 : c.bits);
    if (weightBytes > limit) {
      records.push({ suite: 'matmul', name, adapter: g.id, figures: {}, note: `skipped: the weight needs ${weightBytes} bytes in one binding; this adapter binds at most ${limit} (maxStorageBufferBindingSize).` });
      continue;
    }
    const p = syntheticPacked(c.n, c.k, c.bits, 100 + index);
    const x = normalFloats(c.m * c.k, 200 + index);
    const w = uploadPacked(rt, p, `bench.${name}`);
    const xb = storageBuffer(g, x, 'bench.x');
    const yb = storageBuffer(g, c.m * c.n * 4, 'bench.y'), yr = storageBuffer(g, c.m * c.n * 4, 'bench.y_ref');
    try {
      const ours: EncodeOp = (encoder) => [encodeMatmulPacked(rt, encoder, xb, w, yb, c.m)];
      const entry = c.m === 1 ? 'matvec_ref' : 'matmul_ref';
      const reference = referenceMatmulOp(rt, entry, xb, w, yr, c.m);
      const oursTime = await timeOp(g, ours, options.timer);
      const refTime = await timeOp(g, reference, options.timer);
      await runOnce(g, ours);
      await runOnce(g, reference);
      const samples = sampledReference(p, x, c.m, 300 + index);
      const oursCheck = checkSampled(await readFloats(g, yb, c.m * c.n), samples);
      const refCheck = checkSampled(await readFloats(g, yr, c.m * c.n), samples);
      const bytes = matmulBytes(p, c.m);
      const bandwidth = bytes / (oursTime.ms / 1e3);
      const fractionOfCopy = bandwidth / yardstick.copy;
      const probe = launchOf(rt.device, ours);
      await rt.pool.releaseAfterSubmit(probe.release);
      const refLaunch = referenceLaunch(entry, c.n, c.m);
      const speedup = ratio(refTime.ms, oursTime.ms);
      const verdict = guardVerdict(speedup, probe.launch, { threads: refLaunch.groups[0] * refLaunch.groups[1] * refLaunch.workgroupSize, workgroupSize: refLaunch.workgroupSize });
      const overCopy = beatsCopy(bandwidth / Math.max(yardstick.copy, yardstick.read));
      times.set(name, oursTime.ms);
      ctx.log(`${name}: ${oursTime.ms.toFixed(3)} ms, ${(fractionOfCopy * 100).toFixed(1)}% of copy, reference ${refTime.ms.toFixed(3)} ms (${verdict.verdict})${oursCheck.ok ? '' : ' CHECK FAILED'}`);
      records.push({
        suite: 'matmul', name, adapter: g.id, timing: oursTime,
        figures: {
          k: c.k, n: c.n, m: c.m, bits: bitsLabel(c.bits), entry: c.m === 1 ? 'matvec' : 'matmul', bytes, bandwidth, fractionOfCopy,
          fractionOfRead: bandwidth / yardstick.read, gflops: (2 * c.m * c.n * c.k) / (oursTime.ms / 1e3) / 1e9,
          fasterThanCopy: overCopy,
        },
        check: oursCheck,
      });
      records.push({
        suite: 'guard', name, adapter: g.id, timing: refTime,
        figures: {
          reference: entry, speedupVsReference: speedup, flagged: verdict.flagged || overCopy, verdict: overCopy ? `FLAGGED: faster than the copy kernel over the same bytes; ${verdict.verdict}` : verdict.verdict,
          threads: probe.launch.threads, referenceThreads: refLaunch.groups[0] * refLaunch.groups[1] * refLaunch.workgroupSize,
        },
        check: { ...refCheck, against: `reference kernel vs ${refCheck.against}` },
      });
    } finally {
      destroyPacked(w);
      xb.destroy(); yb.destroy(); yr.destroy();
    }
  }
  for (const c of options.matmul.filter((m) => m.bits === 4)) {
    const q4 = times.get(caseName(c)), fp32 = times.get(caseName({ ...c, bits: 'f32' }));
    if (q4 === undefined || fp32 === undefined) continue;
    records.push({
      suite: 'matmul', name: `q4 vs fp32 ${c.k}×${c.n} m=${c.m}`, adapter: g.id,
      figures: { speedup: fp32 / q4, q4Ms: q4, fp32Ms: fp32 },
      note: 'Ratio of the two timed cases above (each checked there).',
    });
  }
  return { records, times };
}
