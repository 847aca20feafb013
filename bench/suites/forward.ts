// bench: perplexity throughput of the WebGPU forward pass (tokens/s, fp32 and INT4 projections) on the embedded model and stories260K, and the share of its time an empty dispatch chain of the same shape takes.
import { quantizedVariant } from '../../src/engine/modelPair';
import { readBuffers } from '../../src/gpu/readback';
import { forwardModelFromLoaded } from '../../src/model/forward/fromLoaded';
import { perplexity } from '../../src/model/forward/perplexity';
import { perplexityWindows } from '../../src/model/forward/windows';
import { createGpuModel, denseLinear, type LinearPacker, perplexityGpu } from '../../src/model/gpu';
import type { LoadedModel } from '../../src/model/load';
import { intFormat } from '../../src/spec/defaults';
import type { Recipe } from '../../src/spec/schema';
import { type SuiteContext, storageBuffer } from '../context';
import { emptyOp } from '../kernels';
import { type Dispatch, recordingRuntime } from '../probe';
import { median } from '../stats';
import type { BenchRecord, Timing } from '../types';

/** A model to run: how to open it and the text to score. */
export interface ForwardSubject {
  readonly label: string;
  readonly open: () => Promise<LoadedModel>;
  readonly text: string;
}

/** The quantized variant: INT4 symmetric, blocks of 32 along the inputs, every block projection (embedding and head stay fp32, as in the app's model pass). */
const INT4: Recipe = { format: intFormat(4, 'sym'), granularity: { kind: 'block', blockSize: 32 } };

/** Passes timed per variant (after one untimed warm-up pass). */
const PASSES = 3;

async function timePasses(run: () => Promise<void>, passes: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < passes; i++) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  return samples;
}

const wallTiming = (samples: number[]): Timing => ({
  method: 'wall-clock', ms: median(samples), wallMs: median(samples), samples, opsPerSubmit: 1, repeats: samples.length, warmups: 1,
});

export async function forwardSuite(ctx: SuiteContext, subjects: readonly ForwardSubject[]): Promise<BenchRecord[]> {
  const { g, options } = ctx;
  const records: BenchRecord[] = [];
  for (const subject of subjects) {
    const loaded = await subject.open();
    const tokenizer = await loaded.tokenizer();
    if (!tokenizer) throw new Error(`${subject.label} has no tokenizer.`);
    const full = await forwardModelFromLoaded(loaded);
    const tokens = tokenizer.encode(subject.text, { addBos: false }).slice(0, options.forward.tokens);
    const protocol = { context: Math.min(options.forward.context, full.config.maxPositions), stride: options.forward.stride, bos: full.config.bosId };
    const windows = perplexityWindows(tokens.length, protocol, full.config.maxPositions);
    const positions = windows.reduce((a, w) => a + (w.end - w.begin) + (protocol.bos === null ? 0 : 1), 0);
    const variant = quantizedVariant(loaded, full, INT4);
    const variants: [string, LinearPacker, typeof full][] = [['fp32', denseLinear, full], ['INT4 sym block 32', variant.packer, variant.quantized]];
    const tokensPerSecond: Record<string, number> = {};
    for (const [label, packer, cpuModel] of variants) {
      const log: Dispatch[] = [];
      const model = createGpuModel(recordingRuntime(g.rt, log), full, packer, { label: `bench.${label}` });
      try {
        await perplexityGpu(model, tokens, protocol);
        log.length = 0;
        let result = await perplexityGpu(model, tokens, protocol);
        const dispatches = log.length;
        const samples = await timePasses(async () => { result = await perplexityGpu(model, tokens, protocol); }, PASSES);
        const ms = median(samples);
        const want = perplexity(cpuModel, tokens, protocol);
        const diff = Math.abs(result.ppl - want.ppl);
        const empty = await emptyChain(ctx, windows.length, Math.round(dispatches / windows.length));
        const rate = result.tokens / (ms / 1e3);
        tokensPerSecond[label] = rate;
        ctx.log(`${subject.label} ${label}: ${rate.toFixed(0)} scored tokens/s, ${dispatches} dispatches in ${windows.length} submits, empty chain ${(empty / ms * 100).toFixed(1)}% of the pass`);
        records.push({
          suite: 'forward', name: `${subject.label}, ${label}: perplexity`, adapter: g.id, timing: wallTiming(samples),
          figures: {
            scoredTokens: result.tokens, positions, windows: windows.length, context: protocol.context, stride: protocol.stride,
            tokensPerSecond: rate, positionsPerSecond: positions / (ms / 1e3), dispatches,
            emptyChainMs: empty, dispatchOverheadShare: empty / ms, ppl: result.ppl,
          },
          check: { against: 'CPU reference perplexity (src/model/forward/perplexity.ts), relative 1e-4 as in tests/gpu/forward.test.ts', maxAbsDiff: diff, tolerance: 1e-4 * want.ppl, ok: diff <= 1e-4 * want.ppl },
        });
      } finally {
        model.destroy();
      }
    }
    records.push({
      suite: 'forward', name: `${subject.label}: INT4 vs fp32 tokens/s`, adapter: g.id,
      figures: { speedup: tokensPerSecond['INT4 sym block 32'] / tokensPerSecond.fp32 },
      note: 'Ratio of the two passes above (each checked there).',
    });
  }
  return records;
}

/**
 * The pass's shape with no work: `submits` submits (one per window, as perplexityGpu makes) of
 * `perSubmit` empty dispatches each, each submit followed by a 16-byte readback as the real pass
 * reads its scores. Median ms of the whole chain over three runs after a warm-up.
 */
async function emptyChain(ctx: SuiteContext, submits: number, perSubmit: number): Promise<number> {
  const { rt } = ctx.g;
  const sink = storageBuffer(ctx.g, 16, 'bench.forward.sink');
  const op = emptyOp(rt, sink, perSubmit);
  const chain = async () => {
    for (let s = 0; s < submits; s++) {
      const encoder = rt.device.createCommandEncoder({ label: 'bench.empty_chain' });
      const scratch = op(encoder);
      await readBuffers(rt.device, encoder, [sink]);
      void rt.pool.releaseAfterSubmit(scratch);
    }
  };
  try {
    await chain();
    return median(await timePasses(chain, 3));
  } finally {
    sink.destroy();
  }
}
