// gpu: the WGSL registry; the only reader of shaders/*.wgsl (bundled as raw strings by Vite and Vitest).

const files = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

const byName = new Map(Object.entries(files).map(([path, code]) => [path.replace(/^.*\/(.*)\.wgsl$/, '$1'), code]));

const INCLUDE = /^\/\/! include (\w+)\s*$/gm;

/** Names of all registered WGSL files (without extension). */
export function shaderNames(): string[] {
  return [...byName.keys()].sort();
}

/**
 * The WGSL source of `name` with its `//! include lib_x` lines replaced by those files (once each).
 * Includes are how kernels share helpers such as `div_rn`: WGSL has no modules.
 */
export function shaderSource(name: string, included = new Set<string>()): string {
  const code = byName.get(name);
  if (code === undefined) throw new Error(`unknown shader "${name}"; known: ${shaderNames().join(', ')}`);
  included.add(name);
  return code.replace(INCLUDE, (_, lib: string) => (included.has(lib) ? '' : shaderSource(lib, included)));
}
