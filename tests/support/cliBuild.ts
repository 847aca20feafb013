// tests (support, Node only): builds the `lowbit` bundle (scripts/build-cli.mjs, about a second) and runs the real launcher bin/lowbit.mjs as a child process.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Builds dist-cli/lowbit.mjs from the current sources, so tests never run a stale bundle. */
export function buildCli(): void {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: REPO_ROOT, stdio: 'pipe' });
}

/** Runs `lowbit ...argv` as a person would (node bin/lowbit.mjs), with Dawn's GL backend able to start without a display. */
export function runBin(argv: readonly string[], timeoutMs = 120_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/lowbit.mjs', ...argv], {
    cwd: REPO_ROOT, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, EGL_PLATFORM: process.env.EGL_PLATFORM ?? 'surfaceless' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
