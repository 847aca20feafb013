// bench: the two sizes of a run: --quick (the default; a subset that finishes in minutes on a software adapter) and --full (every shape of the issue, 16M-element quantization, a 1B-parameter file).
import type { TimerOptions } from './gpu';
import type { MatmulBits } from './data';

/** One matmul case: Ŵ is [n outputs, k inputs], x has m rows. */
export interface MatmulCase {
  readonly k: number;
  readonly n: number;
  readonly m: number;
  readonly bits: MatmulBits;
}

export interface BenchOptions {
  readonly mode: 'quick' | 'full';
  readonly timer: TimerOptions;
  /** Bytes the copy and read kernels move. */
  readonly copyBytes: number;
  readonly matmul: readonly MatmulCase[];
  /** Calls per round is sized to this many ms in the peer comparison; rounds as timer.repeats. */
  readonly peerTargetMs: number;
  /** FWHT sizes n, elements per size, and the most multiply-adds one dense Hadamard dispatch may take (fewer rows beyond). */
  readonly hadamard: { readonly sizes: readonly number[]; readonly elements: number; readonly denseMacs: number };
  /** Elements of the tensor every format family quantizes (rows of 4096). */
  readonly quantElements: number;
  /** Tokens of evaluation text per model, and the sliding-window protocol. */
  readonly forward: { readonly tokens: number; readonly context: number; readonly stride: number };
  /** Parameters of the synthetic fp16 safetensors file of the scale benchmark. */
  readonly scaleParams: number;
  /** GPU suites to run (--suites); the copy yardstick always runs, the matmul suite needs it. */
  readonly suites: ReadonlySet<GpuSuite>;
}

/** The GPU suites each environment can run, by the name --suites takes. */
export const GPU_SUITES = ['matmul', 'hadamard', 'quant', 'forward', 'peer'] as const;
export type GpuSuite = (typeof GPU_SUITES)[number];

/** GPT-2's linear layers (in × out) and a 4096 × 4096 layer, as [k, n]. */
export const GPT2_SHAPES: readonly (readonly [number, number])[] = [[768, 768], [768, 3072], [3072, 768], [768, 50257]];
export const LARGE_SHAPE = [4096, 4096] as const;

const cases = (shapes: readonly (readonly [number, number])[], ms: readonly number[], bits: readonly MatmulBits[]): MatmulCase[] =>
  shapes.flatMap(([k, n]) => ms.flatMap((m) => bits.map((b) => ({ k, n, m, bits: b }))));

function quick(suites: ReadonlySet<GpuSuite>): BenchOptions {
  const small = GPT2_SHAPES.slice(0, 3);
  return {
    mode: 'quick',
    timer: { warmups: 1, repeats: 5, targetMs: 40, maxOps: 32 },
    copyBytes: 16 * 2 ** 20,
    matmul: [
      ...cases(small, [1, 8], [4, 'f32']),
      ...cases([[768, 768]], [1], [2, 3, 8]),
      ...cases([[768, 768]], [128], [4, 'f32']),
      ...cases([LARGE_SHAPE, GPT2_SHAPES[3]], [1], [4]), // the large shapes, matvec only (minutes on a software adapter)
    ],
    peerTargetMs: 60,
    hadamard: { sizes: [64, 256, 1024, 4096], elements: 2 ** 20, denseMacs: 2 ** 27 },
    quantElements: 2 ** 21,
    forward: { tokens: 192, context: 128, stride: 64 },
    scaleParams: 1e9, // the size in both modes: only a file much larger than one tensor shows the stream holds one tensor at a time
    suites,
  };
}

function full(suites: ReadonlySet<GpuSuite>): BenchOptions {
  return {
    mode: 'full',
    timer: { warmups: 2, repeats: 7, targetMs: 100, maxOps: 64 },
    copyBytes: 64 * 2 ** 20,
    matmul: cases([...GPT2_SHAPES, LARGE_SHAPE], [1, 8, 128], [2, 3, 4, 8, 'f32']),
    peerTargetMs: 150,
    hadamard: { sizes: [64, 128, 256, 512, 1024, 2048, 4096], elements: 2 ** 22, denseMacs: 2 ** 30 },
    quantElements: 2 ** 24,
    forward: { tokens: 1024, context: 256, stride: 128 },
    scaleParams: 1e9,
    suites,
  };
}

/** Options of a run from its command-line flags (--quick, the default, or --full; --suites, default all). */
export function benchOptions(mode: 'quick' | 'full', suites: ReadonlySet<GpuSuite> = new Set(GPU_SUITES)): BenchOptions {
  return mode === 'full' ? full(suites) : quick(suites);
}
