// tests (cli): `lowbit run` in process on the CPU reference: the numbers and checksum of a link, spec files, local-file links checked by sha256, help, usage and input errors with their exit codes.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/errors';
import { main } from '../../src/cli/main';
import { createCpuBackend } from '../../src/engine/cpuBackend';
import { createSourceCache, runExperiment } from '../../src/engine/experiment';
import { createModelCache } from '../../src/engine/models';
import { DEFAULT_SPEC, SYNTHETIC_SPEC } from '../../src/spec/defaults';
import { encodeLink, resultChecksum } from '../../src/spec/link';
import type { ExperimentSpec } from '../../src/spec/schema';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MODEL_DIR = join(ROOT, 'public/models/lowbit-tiny-llama');

/** Runs the CLI in process; returns its exit code and what it printed. */
export async function lowbit(...argv: string[]) {
  let out = '', err = '';
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; }, progress: false });
  return { code, out, err };
}

/** The engine's result for `spec` on the CPU reference, computed here without the CLI (embedded models read from disk). */
async function engineResult(spec: ExperimentSpec) {
  const fetchFn: typeof fetch = async (url) => new Response(readFileSync(fileURLToPath(String(url))));
  const models = createModelCache({ hubHost: '', hubToken: null, embeddedBase: `${new URL('../../public/models/', import.meta.url)}`, localFiles: new Map(), fetchFn });
  return runExperiment(spec, createCpuBackend(), { synthetic: createSourceCache(), models });
}

const smallSynthetic: ExperimentSpec = { ...SYNTHETIC_SPEC, source: { ...SYNTHETIC_SPEC.source, rows: 64, cols: 256, distribution: 'laplace', seed: 9 } };

describe('lowbit run', () => {
  it('prints the results document of a link: the spec, every metric and the checksum the engine gives', async () => {
    for (const spec of [DEFAULT_SPEC, smallSynthetic]) {
      const link = `http://127.0.0.1:4173/?backend=cpu#${await encodeLink(spec)}`;
      const r = await lowbit('run', link, '--json', '--backend', 'cpu');
      expect(r.err).toBe('');
      expect(r.code).toBe(EXIT.ok);
      const doc = JSON.parse(r.out);
      const expected = await engineResult(spec);
      expect(doc.spec).toEqual(spec);
      expect(doc.link).toBe(link);
      expect(doc.backend).toBe('cpu');
      expect(doc.shape).toEqual([expected.rows, expected.cols]);
      for (const key of ['mse', 'sqnrDb', 'maxAbsErr', 'bitsPerWeight', 'p99AbsErr', 'kurtosis', 'storageBytes'] as const) {
        expect(doc.metrics[key], key).toBe(expected.metrics[key]);
      }
      expect(doc.checksum).toBe(resultChecksum(expected.metrics));
    }
  });

  it('prints the metrics panel as a table with the checksum, and reads a spec .json or a file holding a link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lowbit-run-'));
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify(smallSynthetic));
    const linkFile = join(dir, 'link.txt');
    writeFileSync(linkFile, `https://example.org/#${await encodeLink(smallSynthetic)}\n`);
    const sum = resultChecksum((await engineResult(smallSynthetic)).metrics);
    for (const input of [specFile, linkFile]) {
      const r = await lowbit('run', input, '--backend', 'cpu');
      expect(r.code).toBe(EXIT.ok);
      expect(r.out).toMatch(/^INT4 sym · block 64 on synthetic 64×256 laplace, seed 9/);
      expect(r.out).toMatch(/computed on CPU reference in \d+ ms/);
      expect(r.out).toMatch(new RegExp(`checksum\\s+${sum}`));
      expect(r.out).toMatch(/MSE\s+\d/);
      expect(r.out).toContain('#s=1.');
    }
  });

  it('notes what it clamped in a spec file on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lowbit-run-'));
    const file = join(dir, 'wide.json');
    writeFileSync(file, JSON.stringify({ ...smallSynthetic, source: { ...smallSynthetic.source, outlierScale: 5000 } }));
    const r = await lowbit('run', file, '--backend', 'cpu', '--json');
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toBe('note: source.outlierScale was 5000, above the largest allowed (1000): set to 1000\n');
    expect(JSON.parse(r.out).spec.source.outlierScale).toBe(1000);
  });

  it('runs a local-file link with --model when the sha256 matches, and refuses another file', async () => {
    const weights = join(MODEL_DIR, 'model.safetensors');
    const bytes = readFileSync(weights);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const tensor = 'model.layers.0.mlp.up_proj.weight';
    const spec: ExperimentSpec = { ...DEFAULT_SPEC, source: { kind: 'model', model: { kind: 'local', name: 'model.safetensors', bytes: bytes.length, sha256 }, tensor } };
    const link = `#${await encodeLink(spec)}`;
    const ok = await lowbit('run', link, '--model', MODEL_DIR, '--backend', 'cpu', '--json');
    expect(ok.err).toBe('');
    expect(ok.code).toBe(EXIT.ok);
    const embedded = await engineResult({ ...spec, source: { kind: 'model', model: { kind: 'embedded', name: 'lowbit-tiny-llama' }, tensor } });
    expect(JSON.parse(ok.out).checksum).toBe(resultChecksum(embedded.metrics));
    expect(JSON.parse(ok.out).tensor).toBe(tensor);

    const missing = await lowbit('run', link, '--backend', 'cpu');
    expect(missing.code).toBe(EXIT.input);
    expect(missing.err).toContain(`uses a local file, model.safetensors (sha256 ${sha256}). Give it with --model <path>`);

    const other = mkdtempSync(join(tmpdir(), 'lowbit-other-'));
    writeFileSync(join(other, 'model.safetensors'), bytes.subarray(0, bytes.length - 4));
    const wrong = await lowbit('run', link, '--model', join(other, 'model.safetensors'), '--backend', 'cpu');
    expect(wrong.code).toBe(EXIT.input);
    expect(wrong.err).toMatch(/is not the file this link was made with: model\.safetensors has sha256 [0-9a-f]{64}, the link's model\.safetensors has sha256/);
  });
});

describe('lowbit command line', () => {
  it('prints help for the tool and every command (exit 0), and the overview for no command (exit 2)', async () => {
    for (const argv of [['--help'], ['help'], ['run', '--help'], ['quantize', '-h'], ['eval', '--help']]) {
      const r = await lowbit(...argv);
      expect(r.code, argv.join(' ')).toBe(EXIT.ok);
      expect(r.out).toMatch(/^lowbit/);
      expect(r.out).toContain('Example');
    }
    expect((await lowbit()).code).toBe(EXIT.usage);
  });

  it('exits 2 with a pointer to --help for a wrong command line', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /no command "frobnicate"/],
      [['run', 'a', 'b'], /at most 1 positional argument/],
      [['run', '--jsn', 'x'], /Unknown option '--jsn'.*See lowbit run --help/],
      [['run', 'x.json', '--backend', 'metal'], /--backend is auto, webgpu or cpu, not "metal"/],
      [['quantize', '--in', 'x.npy', '--out', 'y.npy'], /needs --recipe/],
      [['quantize', '--recipe', 'llama-q4_0', '--in', 'x.npy', '--out', 'y.bin'], /ending in \.npy/],
      [['quantize', '--recipe', 'llama-q4_0', '--in', 'm', '--out', 'o', '--dtype', 'fp8'], /--dtype is bf16 or f16/],
      [['eval', '--model', 'm', '--text', 't', '--ctx', 'ten'], /--ctx must be a whole number/],
      [['eval', '--model', 'm', '--text', 't', '--ctx', '64', '--stride', '64'], /--stride \(64\) must be below --ctx \(64\)/],
    ];
    for (const [argv, message] of cases) {
      const r = await lowbit(...argv);
      expect(r.code, argv.join(' ')).toBe(EXIT.usage);
      expect(r.err, argv.join(' ')).toMatch(message);
      expect(r.out).toBe('');
    }
  });

  it('exits 1 with what happened for inputs it cannot use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lowbit-bad-'));
    writeFileSync(join(dir, 'bad.json'), '{"version": 1, ');
    writeFileSync(join(dir, 'newer.json'), JSON.stringify({ ...DEFAULT_SPEC, version: 7 }));
    const cases: [string[], RegExp][] = [
      [['run', join(dir, 'nothing.json')], /is neither a file nor a link/],
      [['run', '#s=1.AAAA'], /This link could not be read: its data is damaged/],
      [['run', join(dir, 'bad.json')], /is not valid JSON/],
      [['run', join(dir, 'newer.json')], /made by a newer lowbit \(spec version 7/],
      [['quantize', '--recipe', 'no-such-preset', '--in', 'x.npy', '--out', 'y.npy'], /neither a preset nor a file\. Presets: llama-q4_k/],
      [['eval', '--model', join(dir, 'none'), '--text', join(dir, 'bad.json')], /There is no file or folder/],
      [['eval', '--model', MODEL_DIR, '--text', join(dir, 'none.txt')], /none\.txt could not be read/],
    ];
    for (const [argv, message] of cases) {
      const r = await lowbit(...argv);
      expect(r.code, argv.join(' ')).toBe(EXIT.input);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
  });
});
