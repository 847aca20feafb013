// cli: the text the commands print: metric tables, numbers to 6 significant digits, progress on a terminal.
import type { TensorResult } from '../engine/types';
import { resultChecksum } from '../spec/link';

/** Where a command writes: stdout for results, stderr for notes and progress (tests pass collectors). */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Progress lines on stderr ("\r…"), only when stderr is a terminal. */
  readonly progress: boolean;
}

/** 6 significant digits, the way JavaScript writes them ("1.23457e-5", "19.8712"); Infinity and NaN as is. */
export const num = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x));

/** Aligned "label  value" lines. */
export function table(rows: readonly (readonly [string, string])[], indent = '  '): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`).join('\n');
}

/** The metrics panel's numbers, in its order, with the checksum last. */
export function metricRows(r: Pick<TensorResult, 'metrics' | 'groupCount' | 'groupSize'>): [string, string][] {
  const m = r.metrics;
  return [
    ['MSE', num(m.mse)], ['RMSE', num(m.rmse)], ['SQNR', `${num(m.sqnrDb)} dB`], ['max |error|', num(m.maxAbsErr)],
    ['p99 |error|', num(m.p99AbsErr)], ['p99.9 |error|', num(m.p999AbsErr)], ['cosine', num(m.cosine)],
    ['rel. error', num(m.relFrobenius)], ['kurtosis of x', num(m.kurtosis)], ['bits / weight', num(m.bitsPerWeight)],
    ['storage', `${m.storageBytes} bytes`], ['groups', `${r.groupCount} of ${r.groupSize}`], ['checksum', resultChecksum(m)],
  ];
}

/** A progress callback that redraws one stderr line on a terminal (and says nothing otherwise). */
export function progressLine(io: Output): { update: (fraction: number, stage: string) => void; done: () => void } {
  let shown = false;
  return {
    update(fraction, stage) {
      if (!io.progress) return;
      io.err(`\r\x1b[2K${Math.round(fraction * 100)}% ${stage}`);
      shown = true;
    },
    done() { if (shown) io.err('\r\x1b[2K'); },
  };
}
