// tests: the bench's reading of a built index.html (bench/node/app.ts entryScripts): which scripts load before the first view, counted for the initial-JavaScript target.
import { describe, expect, it } from 'vitest';
import { entryScripts } from '../../bench/node/app';

/** The shape of Vite's built index.html: the entry module, preloaded chunks, a stylesheet, and an inline script. */
const HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <script>window.__theme = 'dark';</script>
    <script type="module" crossorigin src="./assets/index-AbC123.js"></script>
    <link rel="modulepreload" crossorigin href="./assets/react-Xy9.js">
    <link rel="modulepreload" crossorigin href="./assets/index-AbC123.js">
    <link rel="stylesheet" crossorigin href="./assets/index-Q1.css">
    <link rel="preload" as="font" href="./assets/font-Z.woff2">
  </head>
  <body><div id="root"></div></body>
</html>`;

describe('entryScripts', () => {
  it('lists the module entry and every modulepreload link once, relative to the build folder', () => {
    expect(entryScripts(HTML)).toEqual(['assets/index-AbC123.js', 'assets/react-Xy9.js']);
  });
  it('ignores inline scripts, stylesheets and other preloads', () => {
    const found = entryScripts(HTML);
    expect(found.some((f) => f.endsWith('.css') || f.endsWith('.woff2'))).toBe(false);
  });
  it('keeps absolute paths as they are and finds nothing in a page without module scripts', () => {
    expect(entryScripts('<script type="module" src="/assets/a.js"></script>')).toEqual(['/assets/a.js']);
    expect(entryScripts('<html><body>no scripts</body></html>')).toEqual([]);
  });
});
