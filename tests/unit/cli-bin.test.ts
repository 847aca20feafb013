// tests (cli): the built `lowbit` command run as a child process: exit codes, messages on stderr, the same numbers as in process, and the launcher's message when unbuilt.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/errors';
import { main } from '../../src/cli/main';
import { SYNTHETIC_SPEC } from '../../src/spec/defaults';
import { encodeLink } from '../../src/spec/link';
import { buildCli, REPO_ROOT, runBin } from '../support/cliBuild';

describe('bin/lowbit.mjs', () => {
  beforeAll(buildCli, 60_000);

  it('exits 0 with help, 2 for a wrong command line, 1 for a bad input, messages on stderr', () => {
    const help = runBin(['--help']);
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toMatch(/^lowbit: /);
    for (const command of ['run', 'quantize', 'eval']) expect(runBin([command, '--help']).code, command).toBe(EXIT.ok);
    const usage = runBin(['run', '--frobnicate']);
    expect(usage.code).toBe(EXIT.usage);
    expect(usage.stdout).toBe('');
    expect(usage.stderr).toMatch(/^lowbit run: Unknown option '--frobnicate'/);
    const input = runBin(['run', '#s=1.AAAA']);
    expect(input.code).toBe(EXIT.input);
    expect(input.stderr).toMatch(/^lowbit run: This link could not be read/);
  });

  it('prints the same results document as the in-process command, and exits by itself', async () => {
    const spec = { ...SYNTHETIC_SPEC, source: { ...SYNTHETIC_SPEC.source, rows: 128, cols: 256 } };
    const link = `https://example.org/#${await encodeLink(spec)}`;
    const child = runBin(['run', link, '--json', '--backend', 'cpu'], 60_000);
    expect(child.code).toBe(EXIT.ok); // a hang would end in a timeout, code null
    let out = '';
    await main(['run', link, '--json', '--backend', 'cpu'], { out: (t) => { out += t; }, err: () => {}, progress: false });
    expect(JSON.parse(child.stdout)).toEqual(JSON.parse(out));
  });
});

describe('bin/lowbit.mjs without a build', () => {
  it('says how to build the command and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lowbit-unbuilt-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(REPO_ROOT, 'bin/lowbit.mjs'), join(dir, 'bin/lowbit.mjs'));
    const r = spawnSync(process.execPath, [join(dir, 'bin/lowbit.mjs'), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the command is not built yet\. Run `npm run build` \(or `npm run build:cli`\)/);
  });
});
