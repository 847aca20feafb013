// bench (browser): our packed matvec/matmul against ONNX Runtime Web's MatMulNBits (WebGPU execution provider) on the same device, the same packed bytes, x on the GPU and y left there, one submit per call on both sides.
import type * as Ort from 'onnxruntime-web/webgpu';
import { destroyPacked, encodeMatmulPacked, uploadPacked } from '../../src/gpu/kernels/matmulPacked';
import { readFloats, type SuiteContext, storageBuffer } from '../context';
import { BENCH_GROUP, bitsLabel, normalFloats, syntheticPacked } from '../data';
import { timeCalls } from '../gpu';
import { matMulNBitsModel } from '../onnx';
import type { MatmulCase } from '../options';
import { PEER_TARGET } from '../report';
import { opsPerSubmit, ratio } from '../stats';
import type { BenchRecord } from '../types';
import { caseName, checkSampled, sampledReference } from './matmul';

/** Code widths ORT's WebGPU MatMulNBits accepts (matmul_nbits.h: "Only 4b/8b/2b quantization is supported"). */
const PEER_BITS: readonly number[] = [2, 4, 8];

/** The ORT module as loaded by the page (onnxruntime-web/webgpu). */
export type OrtModule = typeof Ort;

/** The peer's name and version as printed beside its figures. */
export const peerName = (ort: OrtModule): string => `onnxruntime-web ${ort.env.versions.web ?? ort.env.versions.common ?? ''} (WebGPU EP, MatMulNBits)`;

export async function peerSuite(ctx: SuiteContext, ort: OrtModule): Promise<BenchRecord[]> {
  const { g, options } = ctx;
  const { rt } = g;
  const device = rt.device;
  const records: BenchRecord[] = [];
  const cases = options.matmul.filter((c): c is MatmulCase & { bits: number } => c.bits !== 'f32' && PEER_BITS.includes(c.bits));
  for (const [index, c] of cases.entries()) {
    const name = caseName(c);
    const p = syntheticPacked(c.n, c.k, c.bits, 500 + index);
    const x = normalFloats(c.m * c.k, 600 + index);
    const model = matMulNBitsModel({
      m: c.m, n: c.n, k: c.k, bits: c.bits, blockSize: BENCH_GROUP,
      // The packed layout's row of k/32 chunks of `bits` words is MatMulNBits' [k/32, 4·bits] bytes per row.
      codes: new Uint8Array(p.codes.buffer, p.codes.byteOffset, p.codes.byteLength), scales: p.scales,
    });
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(model, {
        executionProviders: [{ name: 'webgpu', device } as Ort.InferenceSession.WebGpuExecutionProviderOption],
        preferredOutputLocation: 'gpu-buffer',
        extra: { session: { disable_cpu_ep_fallback: '1' } }, // fail rather than run the node on the wasm CPU kernel
      });
    } catch (e) {
      records.push({ suite: 'peer', name, adapter: g.id, figures: {}, note: `ORT could not create the session: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    const w = uploadPacked(rt, p, `bench.peer.${name}`);
    const xb = storageBuffer(g, x, 'bench.peer.x');
    const yb = storageBuffer(g, c.m * c.n * 4, 'bench.peer.y');
    const feeds = { A: ort.Tensor.fromGpuBuffer(xb, { dataType: 'float32', dims: [c.m, c.k] }) };
    const peerCall = async () => {
      const out = await session.run(feeds);
      out.Y.dispose();
    };
    const oursCall = async () => {
      const encoder = device.createCommandEncoder({ label: 'bench.peer.ours' });
      const uniform = encodeMatmulPacked(rt, encoder, xb, w, yb, c.m);
      device.queue.submit([encoder.finish()]);
      void rt.pool.releaseAfterSubmit([uniform]);
    };
    try {
      const t0 = performance.now();
      await peerCall();
      await device.queue.onSubmittedWorkDone();
      const calls = opsPerSubmit(performance.now() - t0, options.peerTargetMs, 64);
      const peer = await timeCalls(device, peerCall, calls, options.timer.warmups, options.timer.repeats);
      const ours = await timeCalls(device, oursCall, calls, options.timer.warmups, options.timer.repeats);
      const samples = sampledReference(p, x, c.m, 700 + index);
      const out = await session.run(feeds);
      const peerY = await out.Y.getData() as Float32Array;
      out.Y.dispose();
      await oursCall();
      const oursY = await readFloats(g, yb, c.m * c.n);
      const peerCheck = checkSampled(peerY, samples), oursCheck = checkSampled(oursY, samples);
      const speedup = ratio(peer.ms, ours.ms);
      ctx.log(`peer ${name}: ours ${ours.ms.toFixed(3)} ms, ORT ${peer.ms.toFixed(3)} ms per call (${speedup?.toFixed(2)}×)`);
      records.push({
        suite: 'peer', name, adapter: g.id, timing: ours,
        figures: {
          k: c.k, n: c.n, m: c.m, bits: bitsLabel(c.bits), callsPerRound: calls, peerMs: peer.ms, oursMs: ours.ms, speedup,
          target: PEER_TARGET, met: speedup !== null && speedup >= PEER_TARGET, peer: peerName(ort),
        },
        check: { ...oursCheck, against: `ours: ${oursCheck.against}; ORT: max |diff| ${peerCheck.maxAbsDiff.toExponential(2)} (${peerCheck.ok ? 'within' : 'OUTSIDE'} the same bound)`, ok: oursCheck.ok && peerCheck.ok },
      });
    } finally {
      await session.release();
      destroyPacked(w);
      xb.destroy(); yb.destroy();
    }
  }
  for (const c of options.matmul.filter((m) => m.bits === 'f32' || !PEER_BITS.includes(m.bits))) {
    records.push({
      suite: 'peer', name: caseName(c), adapter: g.id, figures: {},
      note: c.bits === 'f32' ? 'No MatMulNBits for fp32 weights.' : `ORT's WebGPU MatMulNBits takes 2, 4 or 8 bits, not ${c.bits}.`,
    });
  }
  return records;
}
