// tests (quant layer): group layouts — hand-checked small shapes and a partition property over random shapes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type GroupKind, groupIndices, groupLayout, groupOf } from '../../src/quant/groups';

const allGroups = (layout: ReturnType<typeof groupLayout>) =>
  Array.from({ length: layout.groupCount }, (_, g) => groupIndices(layout, g));

describe('groupLayout on a 3 x 10 tensor (hand-checked)', () => {
  it('block 4: three groups per row, the last a tail of 2', () => {
    const l = groupLayout(3, 10, 'block', 4);
    expect(l).toEqual({ contiguous: true, lines: 3, lineLen: 10, groupSize: 4, groupsPerLine: 3, groupCount: 9 });
    expect(groupIndices(l, 0)).toEqual([0, 1, 2, 3]);
    expect(groupIndices(l, 1)).toEqual([4, 5, 6, 7]);
    expect(groupIndices(l, 2)).toEqual([8, 9]); // tail: 10 = 4 + 4 + 2
    expect(groupIndices(l, 3)).toEqual([10, 11, 12, 13]); // row 1 starts at 10
    expect(groupIndices(l, 5)).toEqual([18, 19]);
    expect(groupIndices(l, 8)).toEqual([28, 29]);
    expect(groupOf(l, 9)).toBe(2);
    expect(groupOf(l, 10)).toBe(3);
    expect(groupOf(l, 27)).toBe(7); // row 2, position 7 -> second block of row 2
  });
  it('row: one group per row', () => {
    const l = groupLayout(3, 10, 'row');
    expect(l).toEqual({ contiguous: true, lines: 3, lineLen: 10, groupSize: 10, groupsPerLine: 1, groupCount: 3 });
    expect(groupIndices(l, 1)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(groupOf(l, 29)).toBe(2);
  });
  it('column: one group per column, elements strided by the row length', () => {
    const l = groupLayout(3, 10, 'column');
    expect(l).toEqual({ contiguous: false, lines: 10, lineLen: 3, groupSize: 3, groupsPerLine: 1, groupCount: 10 });
    expect(groupIndices(l, 0)).toEqual([0, 10, 20]);
    expect(groupIndices(l, 2)).toEqual([2, 12, 22]);
    expect(groupIndices(l, 9)).toEqual([9, 19, 29]);
    expect(groupOf(l, 12)).toBe(2); // row 1, column 2
    expect(groupOf(l, 29)).toBe(9);
  });
  it('tensor: a single group of everything', () => {
    const l = groupLayout(3, 10, 'tensor');
    expect(l).toEqual({ contiguous: true, lines: 1, lineLen: 30, groupSize: 30, groupsPerLine: 1, groupCount: 1 });
    expect(groupIndices(l, 0)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(groupOf(l, 29)).toBe(0);
  });
  it('a block larger than the row clamps to the row; block 0 clamps to 1', () => {
    expect(groupLayout(3, 10, 'block', 64)).toEqual(groupLayout(3, 10, 'row'));
    const one = groupLayout(3, 10, 'block', 0);
    expect(one.groupSize).toBe(1);
    expect(one.groupCount).toBe(30);
  });
  it('block size dividing the row exactly leaves no tail', () => {
    const l = groupLayout(2, 8, 'block', 4);
    expect(l.groupsPerLine).toBe(2);
    expect(allGroups(l).map((g) => g.length)).toEqual([4, 4, 4, 4]);
  });
});

describe('layout properties over random shapes', () => {
  const shape = fc.record({
    rows: fc.integer({ min: 1, max: 20 }),
    cols: fc.integer({ min: 1, max: 40 }),
    kind: fc.constantFrom<GroupKind>('tensor', 'row', 'column', 'block'),
    blockSize: fc.integer({ min: 0, max: 50 }),
  });

  it('groupIndices partitions [0, n) and groupOf inverts it', () => {
    fc.assert(
      fc.property(shape, ({ rows, cols, kind, blockSize }) => {
        const l = groupLayout(rows, cols, kind, blockSize);
        const n = rows * cols;
        expect(l.lines * l.lineLen).toBe(n);
        const seen = new Uint8Array(n);
        const problems: string[] = []; // collected, then asserted once: keeps 400 runs fast
        for (const [g, idx] of allGroups(l).entries()) {
          if (idx.length === 0 || idx.length > l.groupSize) problems.push(`group ${g} has ${idx.length} elements`);
          for (const i of idx) {
            if (!(Number.isInteger(i) && i >= 0 && i < n)) problems.push(`group ${g}: index ${i} out of range`);
            seen[i]++;
            if (groupOf(l, i) !== g) problems.push(`groupOf(${i}) = ${groupOf(l, i)}, expected ${g}`);
          }
        }
        expect(problems).toEqual([]);
        expect(seen.every((c) => c === 1)).toBe(true); // each element in exactly one group
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  it('groups follow their kind: same row (block/row), same column (column), runs along the line', () => {
    fc.assert(
      fc.property(shape, ({ rows, cols, kind, blockSize }) => {
        const l = groupLayout(rows, cols, kind, blockSize);
        const bs = Math.min(Math.max(1, blockSize), cols);
        for (const [g, idx] of allGroups(l).entries()) {
          const step = kind === 'column' ? cols : 1;
          expect(idx.every((i, k) => k === 0 || i - idx[k - 1] === step)).toBe(true);
          if (kind === 'row') expect(idx.every((i) => Math.floor(i / cols) === g)).toBe(true);
          if (kind === 'column') expect(idx.every((i) => i % cols === g)).toBe(true);
          if (kind === 'block') {
            const row = Math.floor(idx[0] / cols);
            expect(idx.every((i) => Math.floor(i / cols) === row)).toBe(true); // blocks never cross rows
            expect(idx[0] % cols % bs).toBe(0); // blocks start on block boundaries of the row
          }
        }
        const expected = { tensor: 1, row: rows, column: cols, block: rows * Math.ceil(cols / bs) }[kind];
        expect(l.groupCount).toBe(expected);
      }),
      { seed: 43, numRuns: 400 },
    );
  });
});
