// bench: the yardsticks: copy and read bandwidth of plain kernels and the cost of an empty dispatch on this adapter (every other figure is a ratio to these).
import { type SuiteContext, maxAbsDiff, readFloats, runOnce, storageBuffer, type Yardstick } from '../context';
import { normalFloats } from '../data';
import { timeOp } from '../gpu';
import { copyOp, emptyOp, readOp, readSumReference } from '../kernels';
import type { BenchRecord } from '../types';

export async function copySuite(ctx: SuiteContext): Promise<{ records: BenchRecord[]; yardstick: Yardstick }> {
  const { g, options } = ctx;
  const bytes = options.copyBytes;
  const data = normalFloats(bytes / 4, 11);
  const src = storageBuffer(g, data, 'bench.copy.src');
  const dst = storageBuffer(g, bytes, 'bench.copy.dst');
  const sink = storageBuffer(g, 16, 'bench.read.sink');
  try {
    const copy = await timeOp(g, copyOp(g.rt, src, dst, bytes), options.timer);
    const copied = await readFloats(g, dst, bytes / 4);
    const read = await timeOp(g, readOp(g.rt, src, sink, bytes), options.timer);
    const want = readSumReference(data, bytes);
    await runOnce(g, readOp(g.rt, src, sink, bytes, [want[0], want[1]]));
    const got = await readFloats(g, sink, 4);
    const empty = await timeOp(g, emptyOp(g.rt, sink, 1), { ...options.timer, maxOps: 256 });
    const yardstick: Yardstick = { copy: (2 * bytes) / (copy.ms / 1e3), read: bytes / (read.ms / 1e3), emptyDispatchMs: empty.ms };
    const copyDiff = maxAbsDiff(copied, data), readDiff = maxAbsDiff(got, want);
    const mib = `${bytes / 2 ** 20} MiB`;
    ctx.log(`copy ${mib}: ${(yardstick.copy / 1e9).toFixed(2)} GB/s (read+write), read: ${(yardstick.read / 1e9).toFixed(2)} GB/s, empty dispatch ${(empty.ms * 1e3).toFixed(1)} µs`);
    return {
      yardstick,
      records: [
        {
          suite: 'copy', name: `copy kernel, ${mib}`, adapter: g.id, timing: copy,
          figures: { bytes, bandwidth: yardstick.copy },
          check: { against: 'the input, every element', maxAbsDiff: copyDiff, tolerance: 0, ok: copyDiff === 0 },
        },
        {
          suite: 'copy', name: `read kernel, ${mib}`, adapter: g.id, timing: read,
          figures: { bytes, bandwidth: yardstick.read, readVsCopy: yardstick.read / yardstick.copy },
          check: { against: 'thread 0\'s sum on the CPU (f32, same order)', maxAbsDiff: readDiff, tolerance: 0, ok: readDiff === 0 },
        },
        {
          suite: 'copy', name: 'empty dispatch (one workgroup, own compute pass)', adapter: g.id, timing: empty,
          figures: { microseconds: empty.ms * 1e3 },
          note: 'No output to check: the kernel does nothing by design.',
        },
      ],
    };
  } finally {
    src.destroy(); dst.destroy(); sink.destroy();
  }
}
