// tests (spec layer): experiment links: round trips, the stored v1 links, repairs with notices, refusals with messages, migrations, the results checksum.
import { readFileSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, SYNTHETIC_SPEC } from '../../src/spec/defaults';
import {
  checksumText, decodeLink, encodeLink, LINK_FORMAT, linkValue, MAX_SPEC_JSON_BYTES, readSpec, resultChecksum,
} from '../../src/spec/link';
import { migrateSpec, type Migration } from '../../src/spec/migrations';
import { PRESETS } from '../../src/spec/presets';
import { type ExperimentSpec, SPEC_VERSION } from '../../src/spec/schema';

const FIXTURES = JSON.parse(readFileSync(new URL('../fixtures/links/v1.json', import.meta.url), 'utf8')) as {
  links: { name: string; link: string; spec: ExperimentSpec }[];
};

/** A link to any JSON value, packed like lowbit does but by Node's zlib (so malformed specs can be linked). */
const linkTo = (value: unknown) => `#s=1.${deflateRawSync(Buffer.from(JSON.stringify(value))).toString('base64url')}`;

/** The decoded outcome that must be a success; fails the test with the message otherwise. */
async function opened(link: string) {
  const r = await decodeLink(link);
  if (!r.ok) throw new Error(`expected the link to open, got: ${r.message}`);
  return r;
}

async function refused(link: string): Promise<string> {
  const r = await decodeLink(link);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.spec)}`);
  expect(r.message).toMatch(/^This link could not be read: .+\.$/);
  return r.message;
}

describe('encodeLink / decodeLink', () => {
  it('round-trips the default, the synthetic default and every preset', async () => {
    const specs: ExperimentSpec[] = [DEFAULT_SPEC, SYNTHETIC_SPEC, ...PRESETS.map((p) => ({ ...SYNTHETIC_SPEC, recipe: p.recipe }))];
    for (const spec of specs) {
      const hash = await encodeLink(spec);
      expect(hash).toMatch(/^s=1\.[A-Za-z0-9_-]+$/);
      const r = await opened(`https://example.org/lowbit/?backend=cpu#${hash}`);
      expect(r.spec).toEqual(spec);
      expect(r.notices).toEqual([]);
    }
  });

  it('writes the documented format: base64url of deflate-raw of the spec JSON (checked with Node zlib)', async () => {
    const hash = await encodeLink(DEFAULT_SPEC);
    const payload = hash.slice(`s=${LINK_FORMAT}.`.length);
    const json = inflateRawSync(Buffer.from(payload, 'base64url')).toString('utf8');
    expect(JSON.parse(json)).toEqual(DEFAULT_SPEC);
    expect(hash.length).toBeLessThan(400); // short enough to paste into a chat
  });

  it('opens every stored v1 link (made by Python zlib) to the experiment it was made from', async () => {
    expect(FIXTURES.links.length).toBeGreaterThanOrEqual(8);
    for (const { name, link, spec } of FIXTURES.links) {
      const r = await decodeLink(link);
      expect(r.ok ? r.spec : r.message, name).toEqual(spec);
      if (r.ok) expect(r.notices, name).toEqual([]);
    }
  });

  it('finds the link in a URL, a hash, the bare parameter or the bare value', async () => {
    const hash = await encodeLink(SYNTHETIC_SPEC);
    const value = hash.slice(2);
    for (const text of [`http://127.0.0.1:4173/#${hash}`, `#${hash}`, hash, value, `#a=b&${hash}`]) {
      expect((await opened(text)).spec).toEqual(SYNTHETIC_SPEC);
    }
    expect(linkValue('http://127.0.0.1:4173/')).toBeNull();
    expect(linkValue('http://127.0.0.1:4173/#other=1')).toBeNull();
  });
});

describe('decodeLink refusals', () => {
  it('says what is wrong for damaged, truncated and foreign links', async () => {
    const good = await encodeLink(DEFAULT_SPEC);
    expect(await refused('#s=')).toMatch(/link version/);
    expect(await refused('#s=hello')).toMatch(/link version/);
    expect(await refused(`#s=1.${good.slice(4, 30)}`)).toMatch(/damaged|cut short/);
    expect(await refused('#s=1.abc$def')).toMatch(/characters a link never contains/);
    expect(await refused('#s=1.A')).toMatch(/cut short/);
    expect(await refused(`#s=1.${Buffer.from('not deflate at all, just text').toString('base64url')}`)).toMatch(/damaged/);
    expect(await refused(`#s=1.${deflateRawSync(Buffer.from('{"version": 1, ')).toString('base64url')}`)).toMatch(/not valid JSON/);
    expect(await refused(`#s=1.${deflateRawSync(Buffer.from([0xff, 0xfe, 0x7b])).toString('base64url')}`)).toMatch(/not valid JSON/);
    expect(await refused(linkTo([1, 2, 3]))).toMatch(/does not hold an experiment/);
    expect(await refused(linkTo(null))).toMatch(/does not hold an experiment/);
  });

  it('refuses a newer link format or spec version with "reload", an unknown older version with its number', async () => {
    expect(await refused('#s=2.abcd')).toMatch(/newer than this lowbit reads.*Reload/);
    expect(await refused('#s=0.abcd')).toMatch(/link format 0 does not exist/);
    expect(await refused(linkTo({ ...DEFAULT_SPEC, version: SPEC_VERSION + 1 }))).toMatch(/newer lowbit \(spec version 2; this page reads up to 1\).*Reload/);
    expect(await refused(linkTo({ ...DEFAULT_SPEC, version: 0 }))).toMatch(/version 0 is older than any/);
    expect(await refused(linkTo({ ...DEFAULT_SPEC, version: '1' }))).toMatch(/spec version is "1", not a whole number/);
  });

  it('stops unpacking a link that inflates past the limit (a "zip bomb")', async () => {
    const bomb = `#s=1.${deflateRawSync(Buffer.alloc(MAX_SPEC_JSON_BYTES * 8, 0x20)).toString('base64url')}`;
    expect(bomb.length).toBeLessThan(10_000);
    expect(await refused(bomb)).toMatch(/more than 262144 bytes/);
  });
});

describe('readSpec repairs and refusals', () => {
  type Raw = { source: Record<string, unknown>; recipe: { format: Record<string, unknown>; granularity?: Record<string, unknown> } };
  const synthetic = () => structuredClone(SYNTHETIC_SPEC) as unknown as Raw;

  it('clamps numbers outside their range and rounds fractions, saying so', () => {
    const raw = synthetic();
    raw.source.rows = 100_000;
    raw.source.seed = -5;
    raw.source.outlierScale = 0.25;
    raw.recipe.format.bits = 4.6;
    if (raw.recipe.granularity) raw.recipe.granularity.blockSize = 0;
    const r = readSpec(raw);
    if (!r.ok) throw new Error(r.message);
    expect(r.spec.source).toMatchObject({ rows: 8192, seed: 0, outlierScale: 1 });
    expect(r.spec.recipe.format).toMatchObject({ bits: 5 });
    expect(r.spec.recipe.granularity.blockSize).toBe(1);
    expect(r.notices).toEqual(expect.arrayContaining([
      'source.rows was 100000, above the largest allowed (8192): set to 8192',
      'source.seed was -5, below the smallest allowed (0): set to 0',
      'source.outlierScale was 0.25, below the smallest allowed (1): set to 1',
      'recipe.format.bits was 4.6, not a whole number: rounded to 5',
      'recipe.granularity.blockSize was 0, below the smallest allowed (1): set to 1',
    ]));
    expect(r.notices).toHaveLength(5);
  });

  it('rounds then clamps (12.7 bits → 13 → 8) in two notices', () => {
    const raw = synthetic();
    raw.recipe.format.bits = 12.7;
    const r = readSpec(raw);
    expect(r.ok && r.spec.recipe.format).toMatchObject({ bits: 8 });
    expect(r.ok && r.notices).toEqual([
      'recipe.format.bits was 12.7, not a whole number: rounded to 13',
      'recipe.format.bits was 13, above the largest allowed (8): set to 8',
    ]);
  });

  it('drops settings it does not know, with a notice, and never lets "__proto__" through', () => {
    const raw = JSON.parse(JSON.stringify(SYNTHETIC_SPEC).replace('"view":{', '"view":{"theme":"dark","__proto__":{"polluted":true},'));
    const r = readSpec(raw);
    if (!r.ok) throw new Error(r.message);
    expect(r.spec).toEqual(SYNTHETIC_SPEC);
    expect(r.notices).toEqual([
      'ignored view.theme, a setting this lowbit does not know',
      'ignored view.__proto__, a setting this lowbit does not know',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses what it cannot repair, naming the field', () => {
    const cases: [(raw: ReturnType<typeof synthetic>) => void, RegExp][] = [
      [(raw) => { raw.recipe.format = { kind: 'format', id: 'q3_k' }; }, /recipe\.format\.id/],
      [(raw) => { raw.source.distribution = 'cauchy'; }, /source\.distribution/],
      [(raw) => { delete raw.recipe.granularity; }, /recipe\.granularity/],
      [(raw) => { raw.recipe.format.mode = 'sym'; raw.recipe.format.bits = 1; }, /recipe\.format\.bits: sym needs at least 2 bits/],
      [(raw) => { raw.source.rows = '1024'; }, /source\.rows/],
      [(raw) => { raw.recipe.format = { kind: 'codebook', levels: [1, 1], scaling: 'absmax' }; }, /levels must be distinct/],
    ];
    for (const [change, message] of cases) {
      const raw = synthetic();
      change(raw);
      const r = readSpec(raw);
      expect(r.ok ? 'opened' : r.message).toMatch(message);
      expect(r.ok ? '' : r.message).toMatch(/^This spec could not be read: /);
    }
  });
});

describe('migrateSpec', () => {
  it('has no migration to run on a current spec and keeps it as it is', () => {
    const r = migrateSpec(DEFAULT_SPEC);
    expect(r).toEqual({ ok: true, spec: DEFAULT_SPEC, notices: [] });
  });

  it('chains migrations in order, sets each version, collects notices and leaves the input untouched', () => {
    const migrations: Migration[] = [
      { from: 2, up: (s) => ({ ...s, b: (s.a as number) * 10 }), notice: 'b is now a tenth-based unit' },
      { from: 1, up: (s) => ({ ...s, a: 1 }) },
    ];
    const input = { version: 1, kept: true };
    expect(migrateSpec(input, 3, migrations)).toEqual({ ok: true, spec: { version: 3, kept: true, a: 1, b: 10 }, notices: ['b is now a tenth-based unit'] });
    expect(input).toEqual({ version: 1, kept: true });
    const gap = migrateSpec({ version: 1 }, 4, migrations);
    expect(gap.ok ? '' : gap.message).toMatch(/no migration from version 3/);
  });
});

describe('resultChecksum', () => {
  const metrics = { mse: 1.234e-5, sqnrDb: 19.8712, maxAbsErr: 0.01, bitsPerWeight: 4.5 };

  it('hashes the documented text with FNV-1a (expected values computed in Python)', () => {
    expect(checksumText(metrics)).toBe('lowbit-results-v1 mse=0.00001234 sqnr=19.87 maxerr=0.01000 bpw=4.500');
    expect(resultChecksum(metrics)).toBe('f9ac12d9');
    const lossless = { mse: 1e-7, sqnrDb: Infinity, maxAbsErr: 0, bitsPerWeight: 8.5 };
    expect(checksumText(lossless)).toBe('lowbit-results-v1 mse=1.000e-7 sqnr=Infinity maxerr=0.000 bpw=8.500');
    expect(resultChecksum(lossless)).toBe('841e1051');
  });

  it('ignores differences below 4 significant digits and sees larger ones', () => {
    // Relative 1e-6 is what f32 sums in another order change; 1e-3 is a different result.
    expect(resultChecksum({ ...metrics, mse: metrics.mse * (1 + 1e-6) })).toBe(resultChecksum(metrics));
    expect(resultChecksum({ ...metrics, mse: metrics.mse * (1 + 1e-3) })).not.toBe(resultChecksum(metrics));
    expect(resultChecksum({ ...metrics, bitsPerWeight: 4.25 })).not.toBe(resultChecksum(metrics));
  });
});
