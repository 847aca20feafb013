// bench: the randomized Hadamard rotation (FWHT kernels) against a dense Hadamard matmul on the fixed reference kernel and against the copy kernel over the same bytes, n = 64 .. 4096.
import { encodeHadamard } from '../../src/gpu/kernels/hadamard';
import { destroyPacked, uploadPacked } from '../../src/gpu/kernels/matmulPacked';
import { hadamardRotation, rotateRows } from '../../src/quant/hadamard/rotation';
import { gammaF32 } from '../../src/quant/packed/matmul';
import { packDense } from '../../src/quant/packed/weights';
import { type SuiteContext, maxAbsDiff, readFloats, runOnce, storageBuffer } from '../context';
import { normalFloats } from '../data';
import { beatsCopy } from '../guard';
import { type EncodeOp, timeOp } from '../gpu';
import { copyOp, referenceMatmulOp } from '../kernels';
import { ratio } from '../stats';
import type { BenchRecord, Check, Timing } from '../types';

/** The rotation as a dense [n, n] matrix W with y = W x: row j of W is (R e_i)[j] over i (R e_i are the rotated unit rows). */
function denseRotation(n: number, rotation: ReturnType<typeof hadamardRotation>): Float32Array {
  const identity = new Float32Array(n * n);
  for (let i = 0; i < n; i++) identity[i * n + i] = 1;
  const columns = rotateRows(identity, n, rotation); // row i = R e_i
  const w = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[j * n + i] = columns[i * n + j];
  return w;
}

/**
 * The dense product against the FWHT's CPU reference, row by row: both are within
 * γ·Σ_i |x_i|·|R_ji| = γ·‖x‖₁/√n of the exact rotation (γ_(n+6) for the dense sum of n products,
 * γ_(log2 n + 2) for the butterflies, the sign and the scale), so they differ by at most the sum.
 */
function denseCheck(got: Float32Array, want: Float32Array, x: Float32Array, n: number, rows: number): Check {
  let worst = 0, tolerance = 0, ok = true;
  for (let r = 0; r < rows; r++) {
    let l1 = 0;
    for (let i = 0; i < n; i++) l1 += Math.abs(x[r * n + i]);
    const bound = (gammaF32(n + 6) + gammaF32(Math.log2(n) + 2)) * (l1 / Math.sqrt(n)) * 1.0001;
    const d = maxAbsDiff(got.subarray(r * n, (r + 1) * n), want.subarray(r * n, (r + 1) * n));
    if (!(d <= bound)) ok = false;
    if (!(d <= worst)) { worst = d; tolerance = bound; }
  }
  return { against: 'the FWHT\'s CPU reference (rotateRows), bound γ·‖x‖₁/√n per row', maxAbsDiff: worst, tolerance, ok };
}

export async function hadamardSuite(ctx: SuiteContext): Promise<BenchRecord[]> {
  const { g, options } = ctx;
  const { rt } = g;
  const { elements, sizes, denseMacs } = options.hadamard;
  const x = normalFloats(elements, 21);
  const xb = storageBuffer(g, x, 'bench.hadamard.x');
  const copyOut = storageBuffer(g, elements * 4, 'bench.hadamard.copy');
  const records: BenchRecord[] = [];
  try {
    const copy = await timeOp(g, copyOp(rt, xb, copyOut, elements * 4), options.timer);
    const copyDiff = maxAbsDiff(await readFloats(g, copyOut, elements), x);
    records.push({
      suite: 'hadamard', name: `copy kernel over the same ${elements * 4 / 2 ** 20} MiB`, adapter: g.id, timing: copy,
      figures: { bytes: elements * 4 },
      check: { against: 'the input', maxAbsDiff: copyDiff, tolerance: 0, ok: copyDiff === 0 },
    });
    for (const n of sizes) {
      const rows = elements / n;
      const rotation = hadamardRotation(n, { seed: 7 });
      const fwht: EncodeOp = (encoder) => {
        const { out, scratch } = encodeHadamard(rt, encoder, xb, rows, rotation);
        return [out, ...scratch];
      };
      const fwhtTime = await timeOp(g, fwht, options.timer);
      const want = rotateRows(x, rows, rotation);
      const encoder = rt.device.createCommandEncoder({ label: 'bench.hadamard.check' });
      const { out, scratch } = encodeHadamard(rt, encoder, xb, rows, rotation);
      rt.device.queue.submit([encoder.finish()]);
      const got = await readFloats(g, out, elements);
      await rt.pool.releaseAfterSubmit([out, ...scratch]);
      const fwhtDiff = maxAbsDiff(got, want);

      const denseRows = Math.max(1, Math.min(rows, Math.floor(denseMacs / (n * n))));
      const w = uploadPacked(rt, packDense(denseRotation(n, rotation), n, n), `bench.hadamard.dense${n}`);
      const yb = storageBuffer(g, denseRows * n * 4, 'bench.hadamard.dense_y');
      let denseTime: Timing, dense: Check;
      try {
        const op = referenceMatmulOp(rt, denseRows === 1 ? 'matvec_ref' : 'matmul_ref', xb, w, yb, denseRows);
        denseTime = await timeOp(g, op, options.timer);
        await runOnce(g, op);
        dense = denseCheck(await readFloats(g, yb, denseRows * n), want, x, n, denseRows);
      } finally {
        destroyPacked(w);
        yb.destroy();
      }
      const fwhtPerElement = fwhtTime.ms / elements, densePerElement = denseTime.ms / (denseRows * n);
      const vsCopy = ratio(fwhtTime.ms, copy.ms);
      ctx.log(`hadamard n=${n}: FWHT ${fwhtTime.ms.toFixed(3)} ms = ${vsCopy?.toFixed(2)}× copy; dense ${(densePerElement / fwhtPerElement).toFixed(1)}× slower per element`);
      records.push({
        suite: 'hadamard', name: `FWHT n=${n} (${rows} rows)`, adapter: g.id, timing: fwhtTime,
        figures: { n, rows, timeVsCopy: vsCopy, fasterThanCopy: beatsCopy(vsCopy === null ? null : 1 / vsCopy) },
        check: { against: 'CPU reference rotateRows, every element (bit-exact kernel)', maxAbsDiff: fwhtDiff, tolerance: 0, ok: fwhtDiff === 0 },
      });
      records.push({
        suite: 'hadamard', name: `dense Hadamard matmul n=${n} (${denseRows} rows, reference kernel)`, adapter: g.id, timing: denseTime,
        figures: { n, rows: denseRows, denseVsFwhtPerElement: densePerElement / fwhtPerElement },
        check: dense,
        note: denseRows < rows ? `Timed on ${denseRows} of ${rows} rows (a ${denseMacs.toExponential(1)} multiply-add budget per dispatch) and compared per element.` : undefined,
      });
    }
  } finally {
    xb.destroy();
    copyOut.destroy();
  }
  return records;
}
