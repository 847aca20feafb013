// bench (browser): our packed matvec/matmul against ONNX Runtime Web's MatMulNBits (WebGPU execution provider) on ORT's own device (both sides), the same packed bytes, x on the GPU and y left there, one submit per call on both sides.
import type * as Ort from 'onnxruntime-web/webgpu';
import { destroyPacked, encodeMatmulPacked, uploadPacked } from '../../src/gpu/kernels/matmulPacked';
import { createRuntime, type GpuRuntime } from '../../src/gpu/runtime';
import { readFloats, type SuiteContext, storageBuffer } from '../context';
import { BENCH_GROUP, bitsLabel, normalFloats, syntheticPacked } from '../data';
import { type BenchGpu, timeCalls } from '../gpu';
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

/**
 * ORT's WebGPU EP makes its own device (it ignores one handed to it in env.webgpu.device or the EP
 * options here), and a buffer of one device cannot be bound on another; so both sides run on ORT's
 * device. ORT drops its device when its last session is released and makes a new one for the next,
 * so a small session is kept open for the whole suite to pin it. The device's adapter is checked
 * against the bench's (same vendor and architecture) and our kernels get a runtime on it.
 */
async function onOrtDevice(ort: OrtModule, g: BenchGpu): Promise<{ gpu: BenchGpu; adapter: string; pin: Ort.InferenceSession }> {
  const p = syntheticPacked(16, BENCH_GROUP, 4, 1);
  const pin = await ort.InferenceSession.create(matMulNBitsModel({
    m: 1, n: 16, k: BENCH_GROUP, bits: 4, blockSize: BENCH_GROUP, codes: new Uint8Array(p.codes.buffer), scales: p.scales,
  }), { executionProviders: ['webgpu'], extra: { session: { disable_cpu_ep_fallback: '1' } } });
  const device = await ort.env.webgpu.device as GPUDevice;
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const adapter = info ? [info.vendor, info.architecture].filter(Boolean).join(' · ') : 'unknown (GPUDevice.adapterInfo missing)';
  if (info && (info.vendor !== g.fingerprint.vendor || info.architecture !== g.fingerprint.architecture)) {
    await pin.release();
    throw new Error(`ORT's device is on another adapter (${adapter}) than the bench's (${g.fingerprint.vendor} · ${g.fingerprint.architecture}).`);
  }
  const rt: GpuRuntime = createRuntime({ device, adapterName: g.id, features: [...device.features], lost: null });
  return { gpu: { ...g, rt, timestamps: false }, adapter, pin };
}

export async function peerSuite(ctx: SuiteContext, ort: OrtModule): Promise<BenchRecord[]> {
  const { options } = ctx;
  const shared = await onOrtDevice(ort, ctx.g);
  const g = shared.gpu, { rt } = g, device = rt.device;
  const records: BenchRecord[] = [];
  try {
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
          executionProviders: ['webgpu'],
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
            target: PEER_TARGET, met: speedup !== null && speedup >= PEER_TARGET, peer: peerName(ort), device: `ORT's device on ${shared.adapter}`,
          },
          check: { ...oursCheck, against: `ours: ${oursCheck.against}; ORT: max |diff| ${peerCheck.maxAbsDiff.toExponential(2)} (${peerCheck.ok ? 'within' : 'OUTSIDE'} the same bound)`, ok: oursCheck.ok && peerCheck.ok },
        });
      } finally {
        await session.release();
        destroyPacked(w);
        xb.destroy(); yb.destroy();
      }
    }
  } finally {
    rt.pool.destroy(); // the device is ORT's: not destroyed here
    await shared.pin.release();
  }
  for (const c of options.matmul.filter((m) => m.bits === 'f32' || !PEER_BITS.includes(m.bits))) {
    records.push({
      suite: 'peer', name: caseName(c), adapter: g.id, figures: {},
      note: c.bits === 'f32' ? 'No MatMulNBits for fp32 weights.' : `ORT's WebGPU MatMulNBits takes 2, 4 or 8 bits, not ${c.bits}.`,
    });
  }
  return records;
}
