// tests (cli): .npy reading and writing against files numpy wrote (tests/fixtures/npy/make.py) and headers built by hand.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/cli/errors';
import { readNpy, writeNpy } from '../../src/cli/npy';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/npy/${name}`, import.meta.url)));
/** The values make.py saves: (arange(6) - 2.5) * 0.75, all exact in f16. */
const BASE = [-1.875, -1.125, -0.375, 0.375, 1.125, 1.875];

/** A .npy file from a header dict and raw data bytes, with `major` version and the length field sized for it. */
function npy(dict: string, data: Uint8Array, major = 1): Uint8Array {
  const header = new TextEncoder().encode(`${dict}\n`);
  const lengthBytes = major === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lengthBytes + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true); else view.setUint32(8, header.length, true);
  out.set(header, 8 + lengthBytes);
  out.set(data, 8 + lengthBytes + header.length);
  return out;
}
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function refusal(bytes: Uint8Array): string {
  try {
    readNpy(bytes, 'x.npy');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected readNpy to refuse the file');
}

describe('readNpy on files numpy wrote', () => {
  it('reads f4, f2 and f8 arrays with their shape', () => {
    for (const [name, descr] of [['f4-2x3.npy', '<f4'], ['f2-2x3.npy', '<f2'], ['f8-2x3.npy', '<f8']]) {
      const a = readNpy(fixture(name), name);
      expect(a.shape).toEqual([2, 3]);
      expect(a.descr).toBe(descr);
      expect([...a.data]).toEqual(BASE);
    }
  });

  it('reads 64-bit integers (to the nearest f32) and a 0-d scalar', () => {
    expect([...readNpy(fixture('i8-5.npy'), 'i8').data]).toEqual([-3, -1, 0, 2, 2 ** 40]);
    const s = readNpy(fixture('f4-scalar.npy'), 'scalar');
    expect(s.shape).toEqual([]);
    expect([...s.data]).toEqual([3.5]);
  });

  it('refuses Fortran order and big-endian data with the numpy call that fixes them', () => {
    expect(refusal(fixture('f4-fortran-2x3.npy'))).toMatch(/Fortran.*numpy\.ascontiguousarray/);
    expect(refusal(fixture('f4-big-endian-2x3.npy'))).toMatch(/big-endian.*astype\('<f4'\)/);
  });
});

describe('readNpy on hand-built headers', () => {
  it('reads format 2.0 (u32 header length) and 3.0 (UTF-8 header), and the integer types', () => {
    const data = bytesOf(new Float32Array([1.5, -2]));
    expect([...readNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data, 2), 'v2').data]).toEqual([1.5, -2]);
    expect([...readNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), 'é': 1, }", data, 3), 'v3').data]).toEqual([1.5, -2]);
    const cases: [string, ArrayBufferView][] = [
      ['|i1', new Int8Array([-128, 5])], ['<i2', new Int16Array([-300, 7])], ['<i4', new Int32Array([-70000, 9])], ['|u1', new Uint8Array([255, 1])],
    ];
    for (const [descr, values] of cases) {
      const a = readNpy(npy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (2,), }`, bytesOf(values)), descr);
      expect([...a.data], descr).toEqual(Array.from(values as unknown as ArrayLike<number>));
    }
  });

  it('accepts "=" as native little-endian, double quotes, extra spaces and an empty shape list', () => {
    const a = readNpy(npy('{"descr": "=f4", "shape": ( 2 , ), "fortran_order": False}', bytesOf(new Float32Array([4, 5]))), 'q');
    expect([...a.data]).toEqual([4, 5]);
  });

  it('says what is wrong with a damaged or foreign file', () => {
    const good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
    expect(refusal(new TextEncoder().encode('PK\u0003\u0004 a zip file'))).toMatch(/not a \.npy file/);
    expect(refusal(npy(good, new Uint8Array(8)))).toMatch(/truncated: shape \(2, 2\) of <f4 needs 16 bytes of data, the file has 8/);
    expect(refusal(npy(good, new Uint8Array(16)).subarray(0, 40))).toMatch(/truncated: its header/);
    expect(refusal(npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)))).toMatch(/element type <c8/);
    expect(refusal(npy("{'descr': '<f4', 'shape': (1,), }", new Uint8Array(4)))).toMatch(/damaged header/);
    expect(refusal(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (a,), }", new Uint8Array(4)))).toMatch(/not a tuple of whole numbers/);
    const v9 = npy(good, new Uint8Array(16));
    v9[6] = 9;
    expect(refusal(v9)).toMatch(/format 9\.0/);
  });
});

describe('writeNpy', () => {
  it('writes exactly the bytes numpy.save writes for the same f32 array', () => {
    expect(writeNpy(Float32Array.from(BASE), [2, 3])).toEqual(fixture('f4-2x3.npy'));
    expect(writeNpy(Float32Array.of(3.5), [])).toEqual(fixture('f4-scalar.npy'));
  });

  it('aligns the data to 64 bytes, writes (n,) for one axis, and round-trips through readNpy', () => {
    const data = Float32Array.from({ length: 7 }, (_, i) => i / 3);
    const bytes = writeNpy(data, [7]);
    const headerLength = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLength) % 64).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLength))).toContain("'shape': (7,)");
    expect(readNpy(bytes, 'round trip')).toEqual({ data, shape: [7], descr: '<f4' });
    expect(() => writeNpy(data, [2, 3])).toThrow(/holds 6 values, got 7/);
  });
});
