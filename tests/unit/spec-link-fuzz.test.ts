// tests (spec layer): fuzzing the link decoder with thousands of mutated links: a valid spec or the clear message, never an exception, never code run.
import { readFileSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeLink, type SpecOutcome } from '../../src/spec/link';
import { experimentSpecSchema } from '../../src/spec/schema';

const LINKS = (JSON.parse(readFileSync(new URL('../fixtures/links/v1.json', import.meta.url), 'utf8')) as { links: { link: string }[] }).links
  .map((l) => l.link.slice(l.link.indexOf('#')));

/** Strings that would run code if anything evaluated or injected them; each sets the sentinel. */
const PAYLOADS = [
  '<img src=x onerror="globalThis.__lowbitPwned = 1">',
  '<script>globalThis.__lowbitPwned = 1</script>',
  '"); globalThis.__lowbitPwned = 1; //',
  '${globalThis.__lowbitPwned = 1}',
  'javascript:globalThis.__lowbitPwned=1',
  '__proto__', 'constructor', 'prototype',
];
const sentinel = globalThis as { __lowbitPwned?: number };

/** Asserts the outcome is one of the two allowed answers. */
function expectAllowed(r: SpecOutcome): void {
  if (r.ok) {
    expect(experimentSpecSchema.safeParse(r.spec).success).toBe(true);
    expect(r.notices.every((n) => typeof n === 'string' && n.length > 0)).toBe(true);
  } else {
    expect(r.message).toMatch(/^This link could not be read: .+\.$/);
  }
}

/** A property over async decoding: the decoder's promise must resolve (a rejection fails the run). */
const decodes = (text: string) => decodeLink(text).then(expectAllowed);

const linkArb = fc.constantFrom(...LINKS);
const charArb = fc.oneof(
  fc.constantFrom(...'AZaz09-_=.#&%+/ \u0000\u00e9\ud83d'),
  fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
);

/** One edit of the link text: replace, insert or delete a character, truncate, or repeat a slice. */
const textMutation = fc.oneof(
  fc.tuple(fc.nat(), charArb).map(([i, c]) => (s: string) => { const k = i % s.length; return s.slice(0, k) + c + s.slice(k + 1); }),
  fc.tuple(fc.nat(), charArb).map(([i, c]) => (s: string) => { const k = i % (s.length + 1); return s.slice(0, k) + c + s.slice(k); }),
  fc.nat().map((i) => (s: string) => { const k = i % s.length; return s.slice(0, k) + s.slice(k + 1); }),
  fc.nat().map((i) => (s: string) => s.slice(0, i % (s.length + 1))),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (s: string) => { const i = a % s.length, j = b % s.length; return s + s.slice(Math.min(i, j), Math.max(i, j)); }),
);

/** The compressed bytes of a link with some bits flipped, re-encoded. */
function flipBits(link: string, flips: [number, number][]): string {
  const bytes = Buffer.from(link.slice('#s=1.'.length), 'base64url');
  for (const [at, bit] of flips) bytes[at % bytes.length] ^= 1 << (bit % 8);
  return `#s=1.${bytes.toString('base64url')}`;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Replaces the value at a pseudo-random position of `tree` (walking `steps`) with `value`. */
function replaceSomewhere(tree: Json, steps: number[], value: Json): Json {
  if (steps.length === 0 || tree === null || typeof tree !== 'object') return value;
  const keys = Object.keys(tree);
  if (keys.length === 0) return value;
  const [step, ...rest] = steps;
  const key = keys[step % keys.length];
  const copy: Json = Array.isArray(tree) ? [...tree] : { ...tree };
  (copy as Record<string, Json>)[key] = replaceSomewhere((tree as Record<string, Json>)[key], rest, value);
  return copy;
}

const specOf = (link: string) => JSON.parse(inflateRawSync(Buffer.from(link.slice('#s=1.'.length), 'base64url')).toString('utf8')) as Json;
const relink = (value: Json) => `#s=1.${deflateRawSync(Buffer.from(JSON.stringify(value))).toString('base64url')}`;

const valueArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(...PAYLOADS),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.double().map((d) => (Number.isFinite(d) ? d : 1e308)),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.constantFrom<Json>(null, true, [], {}, '', -0, 0.5, 2 ** 53, { __proto__: { polluted: true } } as unknown as Json),
);

describe('decodeLink fuzzing', () => {
  sentinel.__lowbitPwned = 0;
  afterAll(() => {
    expect(sentinel.__lowbitPwned).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives 2000 links with characters replaced, inserted, deleted, truncated or repeated', async () => {
    await fc.assert(fc.asyncProperty(linkArb, fc.array(textMutation, { minLength: 1, maxLength: 4 }), async (link, edits) => {
      await decodes(edits.reduce((s, edit) => edit(s), link));
    }), { numRuns: 2000, seed: 7 });
  });

  it('survives 2000 links with bits of their compressed data flipped', async () => {
    await fc.assert(fc.asyncProperty(linkArb, fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 3 }), async (link, flips) => {
      await decodes(flipBits(link, flips));
    }), { numRuns: 2000, seed: 11 });
  });

  it('survives 3000 well-packed links whose spec has a value swapped for junk, huge numbers or script-like strings', async () => {
    let opened = 0;
    await fc.assert(fc.asyncProperty(linkArb, fc.array(fc.nat(), { maxLength: 5 }), valueArb, async (link, steps, value) => {
      const r = await decodeLink(relink(replaceSomewhere(specOf(link), steps, value)));
      expectAllowed(r);
      if (r.ok) opened++;
    }), { numRuns: 3000, seed: 13 });
    // Both answers occur: many junk values are refused, clamped numbers and unknown keys open.
    expect(opened).toBeGreaterThan(100);
    expect(opened).toBeLessThan(2900);
  });

  it('answers with the message for deeply nested and oversized JSON', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expectAllowed(await decodeLink(`#s=1.${deflateRawSync(Buffer.from(`{"version":1,"x":${deep}}`)).toString('base64url')}`));
    expectAllowed(await decodeLink(`#s=1.${deflateRawSync(Buffer.from(deep)).toString('base64url')}`));
    expectAllowed(await decodeLink(`#s=1.${'A'.repeat(70_000)}`));
  });
});
